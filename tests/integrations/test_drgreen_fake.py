"""The fake server itself: runnable as a module, its controls, its pages and its webhook relay."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from integrations.drgreen import signing
from integrations.drgreen.fake import FakeDrGreen
from integrations.drgreen.fake.state import fingerprint

from .conftest import registration

ROOT = Path(__file__).resolve().parents[2]


def test_runs_as_a_module_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "integrations.drgreen.fake", "--port", "0", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith("fake Dr. Green API on http://127.0.0.1:"), banner + process.stderr.read()
        base = banner.split()[5].removesuffix("/api/v1")
        assert httpx.get(f"{base}/_control/health", timeout=5).json()["data"]["status"] == "ok"
        assert httpx.get(f"{base}/api/v1/dapp/strains?countryCode=GBR", timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_refuses_to_listen_beyond_loopback():
    with pytest.raises(ValueError, match="loopback"):
        FakeDrGreen(host="0.0.0.0")  # noqa: S104
    result = subprocess.run(
        [sys.executable, "-m", "integrations.drgreen.fake", "--host", "0.0.0.0"],  # noqa: S104
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "loopback" in result.stderr


def test_the_catalog_is_realistic_and_covers_four_countries(fake):
    catalog = fake.state.catalog
    assert len(catalog) >= 36
    assert len({s["name"] for s in catalog}) == len(catalog)
    assert {s["type"] for s in catalog} == {"Hybrid", "Sativa", "Indica"}
    for country in ("GBR", "PRT", "ZAF", "THA"):
        sold = [
            s
            for s in catalog
            for loc in s["strainLocations"]
            if loc["location"]["countryCode"] == country and loc["isAvailable"] and loc["stockQuantity"] > 0
        ]
        assert len(sold) >= 15, country
    image = httpx.get(catalog[0]["imageUrl"], timeout=5)
    assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"


def test_unknown_routes_answer_the_error_envelope(fake):
    response = httpx.get(f"{fake.api_url}/dapp/unknown", timeout=5)
    assert response.status_code == 404
    assert response.json()["success"] is False and response.json()["urlMethod"] == "GET"


def test_failures_can_target_a_method_and_expire(fake, dg):
    rule = fake.fail("error", status=502, count=1, path="strains", method="GET")
    assert rule["remaining"] == 1
    assert dg.list_strains("GB", take=1).items  # retried past the one failure
    assert fake.control("GET", "/failures")[0]["hits"] == 1
    fake.clear_failures()
    assert fake.control("GET", "/failures") == []
    with pytest.raises(Exception, match="400"):
        fake.fail("explode")


def test_the_kyc_link_page_completes_verification(fake, dg):
    result = dg.register_client(registration())
    page = httpx.get(result.kyc_link, timeout=5)
    assert page.status_code == 200 and "Complete identity check" in page.text
    done = httpx.post(result.kyc_link, timeout=5)
    assert "Identity verified" in done.text
    assert dg.get_client(result.client.id).is_kyc_verified is True


def test_state_is_held_per_key_and_reset_forgets_it(fake, dg, keys):
    dg.register_client(registration())
    assert fake.control("GET", "/state")["keys"] == [
        {"fingerprint": fingerprint(keys.api_key), "clients": 1, "orders": 0}
    ]
    fake.reset()
    assert fake.control("GET", "/state")["keys"] == []


# ---------------------------------------------------------------------------
# Webhook relay
# ---------------------------------------------------------------------------


class Receiver:
    """A BudStack stand-in: records relayed events; answers 500 to the first ``fail_first``."""

    def __init__(self, fail_first: int = 0):
        self.events: list[tuple[dict, bytes]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(500)
                else:
                    receiver.events.append((self.headers, body))  # case-insensitive
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1/integrations/drgreen/webhook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(**options):
        made.append(Receiver(**options))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_status_changes_are_relayed_signed(fake, dg, keys, receiver):
    inbound = receiver()
    fake.relay_to(inbound.url, "whsec_demo")
    client = dg.register_client(registration()).client
    fake.verify_client(client.id)
    fake.approve_client(client.id)
    strain = next(s for s in dg.iter_strains("PT") if s.stock_quantity >= 1)
    dg.add_to_cart(client.cart_id, [(strain.id, 1)])
    order = dg.create_order(client.id)
    fake.set_order(order.id, paymentStatus="PAID")
    fake.relay.wait()

    types = [json.loads(body)["type"] for _, body in inbound.events]
    assert sorted(types) == ["client.approved", "client.kyc_verified", "order.status_changed"]
    ids = set()
    for headers, body in inbound.events:
        event = json.loads(body)
        assert signing.verify_webhook_signature("whsec_demo", headers["X-DrGreen-Signature"], body)
        assert not signing.verify_webhook_signature("wrong", headers["X-DrGreen-Signature"], body)
        assert headers["X-DrGreen-Event-Id"] == event["id"] and event["id"].startswith("evt_")
        assert event["apiKey"] == fingerprint(keys.api_key)
        ids.add(event["id"])
    assert len(ids) == 3
    paid = next(json.loads(b) for _, b in inbound.events if b"order.status_changed" in b)
    assert paid["data"]["changes"] == {"paymentStatus": {"from": "PENDING", "to": "PAID"}}
    assert paid["data"]["order"]["id"] == order.id


def test_a_failed_delivery_is_retried(fake, dg, receiver):
    inbound = receiver(fail_first=1)
    fake.relay_to(inbound.url, "whsec_demo")
    client = dg.register_client(registration()).client
    fake.verify_client(client.id)
    fake.relay.wait()
    assert len(inbound.events) == 1
    delivery = fake.control("GET", "/webhook")["deliveries"][-1]
    assert delivery["delivered"] is True and [a["status"] for a in delivery["attempts"]] == [500, 204]
