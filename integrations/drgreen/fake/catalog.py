"""The fake server's strain catalog: realistic, deterministic, for GBR, PRT, ZAF and THA.

The same catalog is generated on every start (a fixed random seed), so ids, prices and
stock are stable across restarts of `make run` and across test runs.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

COUNTRIES = {"GBR": "GBP", "PRT": "EUR", "ZAF": "ZAR", "THA": "THB"}
# Fixed price lists per currency, not live conversion: rough multipliers, rounded the way
# a price list would be.
_CURRENCY_FACTOR = {"GBP": Decimal("1"), "EUR": Decimal("1.17"), "ZAR": Decimal("23"), "THB": Decimal("44")}
_NAMESPACE = uuid.UUID("6f0c6a47-7d0b-4d7c-9a3e-2f61c1d0a0de")
_EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)

# name, type, cbd-dominant
STRAINS = [
    ("Blue Dream", "Hybrid", False), ("Northern Lights", "Indica", False),
    ("Pink Kush", "Indica", False), ("Harlequin", "Sativa", True),
    ("Critical Mass", "Indica", False), ("Jack Herer", "Sativa", False),
    ("Cannatonic", "Hybrid", True), ("Granddaddy Purple", "Indica", False),
    ("Sour Diesel", "Sativa", False), ("OG Kush", "Hybrid", False),
    ("White Widow", "Hybrid", False), ("Girl Scout Cookies", "Hybrid", False),
    ("Gelato", "Hybrid", False), ("Wedding Cake", "Indica", False),
    ("Durban Poison", "Sativa", False), ("Green Crack", "Sativa", False),
    ("Super Lemon Haze", "Sativa", False), ("Amnesia Haze", "Sativa", False),
    ("Bubba Kush", "Indica", False), ("Purple Punch", "Indica", False),
    ("Gorilla Glue", "Hybrid", False), ("ACDC", "Sativa", True),
    ("Charlotte's Web", "Sativa", True), ("Ringo's Gift", "Hybrid", True),
    ("Pineapple Express", "Hybrid", False), ("Strawberry Cough", "Sativa", False),
    ("Lemon Skunk", "Hybrid", False), ("Tangie", "Sativa", False),
    ("Zkittlez", "Indica", False), ("Do-Si-Dos", "Indica", False),
    ("Mimosa", "Sativa", False), ("Trainwreck", "Sativa", False),
    ("Maui Wowie", "Sativa", False), ("Afghan Kush", "Indica", False),
    ("Hindu Kush", "Indica", False), ("Blueberry", "Indica", False),
    ("UK Cheese", "Hybrid", False), ("Skywalker OG", "Indica", False),
    ("Master Kush", "Indica", False), ("Thai Stick", "Sativa", False),
    ("Malawi Gold", "Sativa", False), ("Swazi Gold", "Sativa", False),
    ("Remedy", "Indica", True), ("Pennywise", "Hybrid", True),
]  # fmt: skip

_FEELINGS = ["Relaxed", "Happy", "Euphoric", "Uplifted", "Sleepy", "Focused", "Creative", "Calm", "Hungry"]
_HELPS_WITH = ["Chronic pain", "Anxiety", "Insomnia", "Stress", "Depression", "Nausea", "Migraine",
               "Muscle spasms", "Inflammation", "Appetite loss", "Fatigue", "PTSD"]  # fmt: skip
_EFFECTS = ["Dry mouth", "Dry eyes", "Dizziness", "Paranoia", "Headache"]
_FLAVOURS = ["Earthy", "Sweet", "Citrus", "Pine", "Berry", "Diesel", "Spicy", "Herbal", "Grape",
             "Lemon", "Skunk", "Woody", "Tropical", "Cheese", "Vanilla"]  # fmt: skip
_TYPE_BLURB = {
    "Indica": "a heavy, body-centred indica suited to evenings",
    "Sativa": "a bright, clear-headed sativa suited to daytime use",
    "Hybrid": "a balanced hybrid with both calming and uplifting qualities",
}


def slugify(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def _price(gbp: Decimal, currency: str) -> Decimal:
    value = gbp * _CURRENCY_FACTOR[currency]
    step = Decimal("0.05") if currency in ("GBP", "EUR") else Decimal("1")
    return (value / step).quantize(Decimal("1")) * step


def build_catalog(public_url: str, *, seed: int = 20240108) -> list[dict]:
    """Strains in the API's shape; stock and availability per country live in strainLocations."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible fake catalog
    strains = []
    for index, (name, kind, cbd_dominant) in enumerate(STRAINS):
        slug = slugify(name)
        if cbd_dominant:
            thc, cbd = rng.choice([0.5, 1.0, 4.0, 6.0, 7.0]), rng.choice([10.0, 12.0, 14.0, 16.0, 18.0])
        else:
            thc, cbd = round(rng.uniform(14, 28), 1), round(rng.uniform(0.1, 1.5), 1)
        gbp = Decimal(str(round(rng.uniform(6.5, 12.0) * 4) / 4))  # per gram, to the quarter pound
        prices = []
        for currency in _CURRENCY_FACTOR:
            retail = _price(gbp, currency)
            prices.append(
                {
                    "currency": currency,
                    "retailPrice": float(retail),
                    "wholeSalePrice": float(_price(gbp * Decimal("0.6"), currency)),
                }
            )
        locations = []
        for country in COUNTRIES:
            if rng.random() < 0.12:
                continue  # not licensed in that country at all
            available = rng.random() < 0.85
            stock = rng.choice([0, 0, 25, 50, 80, 120, 200, 350, 500]) if available else 0
            locations.append(
                {
                    "location": {"countryCode": country},
                    "isActive": True,
                    "isAvailable": available,
                    "stockQuantity": stock,
                }
            )
        created = _EPOCH + timedelta(days=index * 3, hours=rng.randint(0, 8))
        strains.append(
            {
                "id": str(uuid.uuid5(_NAMESPACE, slug)),
                "name": name,
                "description": (
                    f"{name} is {_TYPE_BLURB[kind]}. "
                    + ("CBD-dominant, with little intoxication. " if cbd_dominant else "")
                    + "Grown indoors under EU-GMP conditions and batch-tested by an independent lab."
                ),
                "type": kind,
                "thc": thc,
                "cbd": cbd,
                "cbg": round(rng.uniform(0, 1.2), 1),
                "batchNumber": f"DG-{created:%y%m}-{index + 101:04d}",
                "feelings": rng.sample(_FEELINGS, 3),
                "helpsWith": rng.sample(_HELPS_WITH, 3),
                "effects": rng.sample(_EFFECTS, 2),
                "popularity": rng.randint(1, 5),
                "flavour": rng.sample(_FLAVOURS, 2),
                "imageUrl": f"{public_url}/images/strains/{slug}.svg",
                "isActive": True,
                "discount": rng.choice([0, 0, 0, 0, 5, 10]),
                "expiryDate": (created + timedelta(days=540)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "strainImages": [
                    {"strainImageUrl": f"{public_url}/images/strains/{slug}.svg", "altText": f"{name} flower"}
                ],
                "prices": prices,
                "strainLocations": locations,
            }
        )
    return strains


def strain_svg(name: str, kind: str) -> str:
    """A placeholder picture for a strain, so demo storefronts show an image."""
    colour = {"Indica": "#6b3fa0", "Sativa": "#2f8f46", "Hybrid": "#c7772b"}.get(kind, "#4a6b5d")
    safe = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">'
        f'<rect width="400" height="300" fill="{colour}"/>'
        '<path d="M200 60c20 40 20 80 0 120-20-40-20-80 0-120zm0 120c40-20 80-20 110 0-40 20-80 20-110 0z'
        'm0 0c-40-20-80-20-110 0 40 20 80 20 110 0z" fill="#ffffff" opacity=".85"/>'
        f'<text x="200" y="250" font-family="sans-serif" font-size="26" fill="#fff" text-anchor="middle">{safe}</text>'
        f'<text x="200" y="280" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">{kind}</text>'
        "</svg>"
    )
