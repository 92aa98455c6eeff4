"""Demo batches for `seed_demo`: each with a complete, verifiable ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from commerce.traceability.chain import append_event, record_dispensed
from commerce.traceability.models import Batch
from sites.models import Tenant

# product SKU, code suffix, days since harvest, THC %, CBD %, dispensed orders
BATCHES = [
    ("BS-001", "PK-014", 84, "21.6", "0.4", ["1042", "1057"]),
    ("BS-006", "CT-007", 70, "5.8", "12.3", ["1049"]),
    ("BS-007", "BO-003", 56, "10.1", "9.8", []),
]
CULTIVATOR = "Tilray Portugal, Cantanhede greenhouse 3"
LAB = "Eurofins Food Testing UK"


def seed_batches(tenant: Tenant) -> None:
    """Create the tenant's demo batches and their ledgers once (inside its scope)."""
    from commerce.models import Product

    prefix = "".join(word[0] for word in tenant.name.split()[:2]).upper()
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for sku, suffix, age, thc, cbd, orders in BATCHES:
        code = f"{prefix}-{now.year}-{suffix}"
        product = Product.objects.filter(sku=sku).first()
        if product is None or Batch.objects.filter(code=code).exists():
            continue
        harvest = now - dt.timedelta(days=age)
        batch = Batch.objects.create(
            code=code,
            product=product,
            harvested_on=harvest.date(),
            produced_on=(harvest + dt.timedelta(days=14)).date(),
            lab_name=LAB,
            tested_on=(harvest + dt.timedelta(days=18)).date(),
            thc_percent=Decimal(thc),
            cbd_percent=Decimal(cbd),
            lab_results={"microbials": "pass", "heavy metals": "pass", "pesticides": "none detected"},
        )
        steps = [
            ("cultivated", -70, {"site": CULTIVATOR, "plants": 240}),
            ("harvested", 0, {"wet weight": "38.4 kg"}),
            ("tested", 18, {"laboratory": LAB, "THC %": thc, "CBD %": cbd, "result": "released"}),
            ("packaged", 21, {"units": 400, "unit size": "10 g"}),
            ("shipped", 25, {"carrier": "Movianto temperature-controlled", "to": tenant.name}),
            ("received", 27, {"by": f"{tenant.name} pharmacy", "condition": "seals intact"}),
        ]
        for kind, offset, data in steps:
            append_event(batch, kind, data, occurred_at=harvest + dt.timedelta(days=offset))
        for order in orders:
            record_dispensed(batch, order_reference=f"{prefix}-{order}", quantity="10 g")
