"""A real fake Dr. Green server on a free loopback port, and clients pointed at it."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.drgreen.breaker import CircuitBreaker
from integrations.drgreen.client import DrGreenClient, RetryPolicy
from integrations.drgreen.fake import FakeDrGreen
from integrations.drgreen.signing import KeyPair, generate_key_pair
from integrations.drgreen.types import ClientRegistration, MedicalRecord, ShippingAddress

FAST_RETRY = RetryPolicy(attempts=3, backoff=0.02, max_backoff=0.05)


@pytest.fixture(scope="session")
def fake_server():
    with FakeDrGreen() as fake:
        yield fake


@pytest.fixture
def fake(fake_server):
    """The session's server, with every key's data, failures and counts forgotten."""
    fake_server.reset()
    fake_server.state.kyc_links = True
    yield fake_server
    fake_server.reset()


@pytest.fixture
def keys() -> KeyPair:
    return generate_key_pair()


@pytest.fixture
def make_client(fake):
    """``make_client(pair=None, **options)``: short timeouts and fast retries by default."""
    made: list[DrGreenClient] = []

    def make(pair: KeyPair | None = None, *, base_url: str | None = None, **options) -> DrGreenClient:
        pair = pair or generate_key_pair()
        base_url = base_url or fake.api_url
        options.setdefault("timeout", 1.0)
        options.setdefault("connect_timeout", 1.0)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("breaker", CircuitBreaker.for_endpoint(base_url, pair.api_key, threshold=50))
        client = DrGreenClient(base_url, pair.api_key, pair.secret_key, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def dg(make_client, keys) -> DrGreenClient:
    return make_client(keys)


def registration(
    email: str = "ana.silva@example.com",
    contact_number: str = "912345678",
    country: str = "PT",
    **overrides,
) -> ClientRegistration:
    fields = {
        "first_name": "Ana",
        "last_name": "Silva",
        "email": email,
        "phone_code": "+351" if country == "PT" else "+44",
        "phone_country_code": country,
        "contact_number": contact_number,
        "shipping": ShippingAddress(
            address1="Rua das Flores 12",
            address2="2º Esq",
            city="Lisboa" if country == "PT" else "London",
            state="Lisboa" if country == "PT" else "Greater London",
            postal_code="1200-195" if country == "PT" else "N1 9GU",
            country="Portugal" if country == "PT" else "United Kingdom",
            country_code=country,
        ),
        "medical_record": MedicalRecord(
            dob=date(1984, 5, 17),
            gender="female",
            medical_conditions=["chronic_pain"],
            medicines_treatments=["ibuprofen"],
            history={
                "medicalHistory0": False,
                "medicalHistory5": ["smoking_joints"],
                "medicalHistory7": "never",
            },
        ),
    }
    fields.update(overrides)
    return ClientRegistration(**fields)


def strains_in(client: DrGreenClient, country: str) -> list:
    return list(client.iter_strains(country, take=100))


def strain_not_sold_in(fake, country: str) -> dict:
    """A catalog strain the supplier does not sell in ``country``."""
    from integrations.drgreen.fake.api import sold_in

    return next(s for s in fake.state.catalog if not sold_in(s, country))


@pytest.fixture
def receiver():
    """A webhook receiver on a free loopback port (tests/integrations/webhook_receiver.py)."""
    from tests.integrations.webhook_receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()
