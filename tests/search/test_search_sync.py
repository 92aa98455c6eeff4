"""Products synced from the fake Dr. Green (over HTTP) are found; withdrawn ones are not."""

from __future__ import annotations

import pytest

from tests.integrations.conftest import fake, fake_server  # noqa: F401 - fixtures
from tests.integrations.test_commerce_drgreen import connected, sold_in_gb, synced  # noqa: F401

pytestmark = pytest.mark.django_db


def found(client, query: str) -> bool:
    response = client.get("/store/alpha/search/suggest/", {"q": query})
    names = [s["title"] for s in response.json()["suggestions"]]
    page = client.get("/store/alpha/search/", {"q": query}).content.decode()
    assert (query in names) == (f">{query}</a>" in page)  # the page and autocomplete agree
    return query in names


def test_a_synced_strain_is_found_and_a_withdrawn_one_disappears(client, tenant_a, connected, fake, settings):  # noqa: F811
    settings.PAGE_CACHE_SECONDS = 60  # the sync must also retire cached result pages
    kept, vanished = sold_in_gb(fake)[:2]
    assert not found(client, kept["name"])

    synced(tenant_a)
    assert found(client, kept["name"]) and found(client, vanished["name"])

    location = next(loc for loc in vanished["strainLocations"] if loc["location"]["countryCode"] == "GBR")
    location["isAvailable"] = False
    try:
        synced(tenant_a)
    finally:
        location["isAvailable"] = True
    assert found(client, kept["name"]) and not found(client, vanished["name"])
