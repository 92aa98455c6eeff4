"""A local fake of the Dr. Green DApp API: a real HTTP server speaking the contract.

Run it with ``python -m integrations.drgreen.fake --port 8765`` (`make run` does), or in
tests::

    with FakeDrGreen() as fake:            # a free loopback port, in a thread
        client = DrGreenClient(fake.api_url, pair.api_key, pair.secret_key)
        fake.verify_client(client_id)      # the control endpoints, over HTTP

Any well-signed secp256k1 key is accepted; each key gets its own clients, carts,
orders and stock. See ``server`` for the endpoints and ``webhooks`` for the relay.
It needs only the standard library and ``cryptography``: no Django.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

from .server import API_PREFIX, FakeHTTPServer

__all__ = ["FakeDrGreen", "FakeHTTPServer"]


class FakeDrGreen:
    """The fake server in a background thread, plus helpers that call its control endpoints."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, kyc_links: bool = True, quiet: bool = True):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake server has unauthenticated control endpoints: bind it to loopback")
        self.httpd = FakeHTTPServer((host, port), kyc_links=kyc_links, quiet=quiet)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.httpd.public_url

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def state(self):
        return self.httpd.state

    @property
    def relay(self):
        return self.httpd.relay

    def start(self) -> FakeDrGreen:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="fake-drgreen", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.stopping.set()  # releases hanging and slow handlers
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeDrGreen:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- control endpoints ------------------------------------------------------

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.url}/_control{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["data"]

    def reset(self) -> None:
        self.control("POST", "/reset")

    def verify_client(self, client_id: str) -> dict:
        return self.control("POST", f"/clients/{client_id}/verify")

    def approve_client(self, client_id: str) -> dict:
        return self.control("POST", f"/clients/{client_id}/approve")

    def reject_client(self, client_id: str) -> dict:
        return self.control("POST", f"/clients/{client_id}/reject")

    def set_order(self, order_id: str, **changes: str) -> dict:
        """``orderStatus=``, ``paymentStatus=``, ``adminApproval=``."""
        return self.control("PATCH", f"/orders/{order_id}", changes)

    def fail(
        self,
        mode: str = "error",
        *,
        status: int = 500,
        delay: float | None = None,
        count: int | None = None,
        path: str | None = None,
        method: str | None = None,
    ) -> dict:
        return self.control(
            "POST",
            "/failures",
            {"mode": mode, "status": status, "delay": delay, "count": count, "path": path, "method": method},
        )

    def clear_failures(self) -> None:
        self.control("DELETE", "/failures")

    def requests(self, route: str | None = None) -> int:
        """API requests received in all (``route=None``) or for ``"GET /dapp/strains"`` etc."""
        counts = self.control("GET", "/requests")["counts"]
        return counts.get(route or "total", 0)

    def set_stock(self, strain_id: str, country: str, quantity: float, api_key: str | None = None) -> dict:
        body = {"strainId": strain_id, "countryCode": country, "stockQuantity": quantity, "apiKey": api_key}
        return self.control("POST", "/stock", body)

    def relay_to(self, url: str, secret: str) -> None:
        self.control("POST", "/webhook", {"url": url, "secret": secret})
