"""The HTTP side of the fake Dr. Green: signature checks, envelopes, control endpoints.

``/api/v1/...``  the contract, signed exactly as DRGREEN_API.md says (401 otherwise).
``/_control/...`` test-only controls, unsigned; the server only ever binds to loopback:

==========================================  ==========================================
``GET  /_control/health``                   liveness
``POST /_control/reset``                    forget every key's data, failures, counts
``GET  /_control/state``                    keys (by fingerprint), failures, counts
``GET  /_control/requests``                 API requests received, per route
``POST /_control/failures``                 ``{"mode": "error"|"hang"|"slow"|"drop",
                                            "status", "delay", "count", "path", "method"}``
``GET|DELETE /_control/failures``           list / clear injected failures
``POST /_control/clients/<id>/verify``      KYC passed (``isKYCVerified``)
``POST /_control/clients/<id>/approve``     ``adminApproval`` VERIFIED and active
``POST /_control/clients/<id>/reject``      ``adminApproval`` REJECTED and inactive
``PATCH /_control/clients/<id>``            any of isKYCVerified, isActive, adminApproval
``PATCH /_control/orders/<id>``             any of orderStatus, paymentStatus, adminApproval
``POST /_control/stock``                    ``{"strainId", "countryCode", "stockQuantity",
                                            "apiKey"?}``
``GET|POST /_control/webhook``              deliveries / ``{"url", "secret"}`` of the relay
==========================================  ==========================================

``/kyc/<clientId>`` is the page a ``kycLink`` points to (one button completes KYC) and
``/images/strains/<slug>.svg`` serves the catalog's pictures.
"""

from __future__ import annotations

import html
import json
import logging
import re
import socket
import threading
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .. import signing
from . import api
from .catalog import slugify, strain_svg
from .state import ApiError, FakeState
from .webhooks import WebhookRelay

API_PREFIX = "/api/v1"
MAX_BODY = 1_000_000
logger = logging.getLogger("drgreen.fake")


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, kyc_links: bool = True, quiet: bool = True):
        super().__init__(address, Handler)
        host, port = self.server_address[:2]
        self.public_url = f"http://{host}:{port}"
        self.state = FakeState(self.public_url, kyc_links=kyc_links)
        self.relay = WebhookRelay()
        self.stopping = threading.Event()
        self.quiet = quiet

    def handle_error(self, request, client_address) -> None:
        if not self.quiet:
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer
    server_version = "DrGreenFake/1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle plus delayed ACKs
        # add ~40 ms to every answer on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if not self.server.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, raw_query = parts.path, parts.query
        try:
            body = self._read_body()
        except ValueError as exc:
            self._send_json(400, self._error_body(400, str(exc), method))
            return
        try:
            if path.startswith("/_control/"):
                self._control(method, path[len("/_control") :], body)
            elif path.startswith("/kyc/"):
                self._kyc_page(method, path[len("/kyc/") :])
            elif path.startswith("/images/strains/") and method == "GET":
                self._image(path.rsplit("/", 1)[-1])
            elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                self._api(method, path[len(API_PREFIX) :], raw_query, body)
            else:
                raise ApiError(404, f"Cannot {method} {path}")
        except ApiError as exc:
            self._send_json(exc.status, self._error_body(exc.status, exc.message, method))
        except Exception:
            logger.exception("fake Dr. Green failed on %s %s", method, self.path)
            self._send_json(500, self._error_body(500, "Internal server error", method))

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request entity too large")
        return self.rfile.read(length) if length else b""

    # -- the contract -------------------------------------------------------

    def _api(self, method: str, path: str, raw_query: str, body: bytes) -> None:
        state = self.server.state
        found = api.route(method, path)
        state.count_request(method, found[0] if found else path, path, raw_query)
        rule = state.take_failure(method, path)
        if rule is not None and self._inject(rule, method):
            return
        if found is None:
            raise ApiError(404, f"Cannot {method} {API_PREFIX}{path}")
        route_name, params, handler = found
        keys = self._authenticate(method, raw_query, body, params)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                raise ApiError(400, "Body is not valid JSON") from None
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        status, message, data = handler(api.Request(state, keys, params, query, parsed))
        self._send_json(status, {"success": True, "statusCode": status, "message": message, "data": data})

    def _authenticate(self, method: str, raw_query: str, body: bytes, params: dict[str, str]):
        api_key = (self.headers.get("x-auth-apikey") or "").strip()
        signature = (self.headers.get("x-auth-signature") or "").strip()
        if not api_key or not signature:
            raise ApiError(401, "Unauthorized: x-auth-apikey and x-auth-signature are required")
        try:
            public_key = signing.load_api_key(api_key)
        except signing.InvalidKey:
            raise ApiError(401, "Unauthorized: invalid API key") from None
        try:
            payload = signing.payload_string(body=body or None, query=raw_query, path_params=params)
        except UnicodeDecodeError:
            raise ApiError(400, "Body is not valid UTF-8") from None
        if not signing.verify(payload, signature, public_key):
            raise ApiError(401, "Unauthorized: invalid signature")
        return self.server.state.key_state(api_key)

    def _inject(self, rule, method: str) -> bool:
        """Apply an injected failure; True when the request is finished with."""
        if rule.mode == "slow":
            self.server.stopping.wait(rule.delay)
            return False
        if rule.mode == "error":
            message = f"Injected failure ({rule.status})"
            self._send_json(rule.status, self._error_body(rule.status, message, method))
            return True
        if rule.mode == "hang":
            self.server.stopping.wait(rule.delay)
        self.close_connection = True  # hang (after the wait) and drop: no answer at all
        return True

    # -- control endpoints --------------------------------------------------

    def _control(self, method: str, path: str, raw: bytes) -> None:
        state, relay = self.server.state, self.server.relay
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise ApiError(400, "Body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "body must be an object")
        data: Any
        if (method, path) == ("GET", "/health"):
            data = {"status": "ok", "url": self.server.public_url}
        elif (method, path) == ("POST", "/reset"):
            state.reset()
            data = {"reset": True}
        elif (method, path) == ("GET", "/state"):
            data = state.summary()
        elif (method, path) == ("GET", "/requests"):
            with state.lock:
                data = {"counts": dict(state.request_counts), "log": list(state.request_log)}
        elif path == "/failures" and method == "POST":
            data = state.add_failure(
                **{k: body.get(k) for k in ("mode", "status", "delay", "count", "path", "method")}
            ).as_dict()
        elif path == "/failures" and method == "GET":
            data = [rule.as_dict() for rule in state.failures]
        elif path == "/failures" and method == "DELETE":
            state.clear_failures()
            data = []
        elif (method, path) == ("POST", "/stock"):
            data = self._set_stock(body)
        elif path == "/webhook" and method == "POST":
            if not isinstance(body.get("url"), str) or not isinstance(body.get("secret"), str):
                raise ApiError(400, "url and secret are required")
            relay.configure(body["url"], body["secret"])
            data = {"url": relay.url}
        elif path == "/webhook" and method == "GET":
            data = {"url": relay.url, "deliveries": list(relay.deliveries)}
        elif match := re.fullmatch(r"/clients/([^/]+)/(verify|approve|reject)", path):
            if method != "POST":
                raise ApiError(405, "Use POST")
            changes, event = {
                "verify": ({"isKYCVerified": True}, "client.kyc_verified"),
                "approve": ({"adminApproval": "VERIFIED", "isActive": True}, "client.approved"),
                "reject": ({"adminApproval": "REJECTED", "isActive": False}, "client.rejected"),
            }[match[2]]
            data = self._change_client(match[1], changes, event)
        elif (match := re.fullmatch(r"/clients/([^/]+)", path)) and method in ("PATCH", "POST"):
            data = self._change_client(match[1], body, "client.updated")
        elif (match := re.fullmatch(r"/orders/([^/]+)", path)) and method in ("PATCH", "POST"):
            keys, order, before = api.update_order(state, match[1], body)
            changed = {k: {"from": v, "to": order[k]} for k, v in before.items() if order[k] != v}
            if changed:
                relay.emit("order.status_changed", keys.fingerprint, {"order": order, "changes": changed})
            data = order
        else:
            raise ApiError(404, f"Cannot {method} /_control{path}")
        self._send_json(200, {"success": True, "statusCode": 200, "message": "OK", "data": data})

    def _change_client(self, client_id: str, changes: dict[str, Any], event: str) -> dict:
        keys, client = api.update_client(self.server.state, client_id, changes)
        self.server.relay.emit(event, keys.fingerprint, {"client": client})
        return client

    def _set_stock(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            quantity = Decimal(str(body.get("stockQuantity")))
        except InvalidOperation:
            raise ApiError(400, "stockQuantity must be a number") from None
        country = str(body.get("countryCode") or "")
        if country not in api.COUNTRIES:
            raise ApiError(400, f"countryCode must be one of {', '.join(api.COUNTRIES)}")
        self.server.state.set_stock(str(body.get("strainId")), country, quantity, body.get("apiKey"))
        return {"strainId": body.get("strainId"), "countryCode": country, "stockQuantity": float(quantity)}

    # -- pages for people --------------------------------------------------

    def _kyc_page(self, method: str, client_id: str) -> None:
        client_id = client_id.strip("/")
        found = self.server.state.find("clients", client_id)
        if found is None:
            raise ApiError(404, "Client not found")
        if method == "POST":
            self._change_client(client_id, {"isKYCVerified": True}, "client.kyc_verified")
        elif method != "GET":
            raise ApiError(405, "Use GET or POST")
        client = found[1]
        done = client["isKYCVerified"]
        action = (
            "<p><strong>Identity verified.</strong> You can close this page.</p>"
            if done
            else f'<form method="post" action="/kyc/{html.escape(client_id)}">'
            "<p>This stands in for the supplier's identity check.</p>"
            '<button type="submit">Complete identity check</button></form>'
        )
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Identity check</title>"
            '<body style="font-family:sans-serif;max-width:36rem;margin:3rem auto">'
            f"<h1>Identity check for {html.escape(client['firstName'])} {html.escape(client['lastName'])}</h1>"
            f"{action}</body></html>"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def _image(self, filename: str) -> None:
        slug = filename.removesuffix(".svg")
        strain = next((s for s in self.server.state.catalog if slugify(s["name"]) == slug), None)
        if strain is None:
            raise ApiError(404, "Image not found")
        self._send(200, strain_svg(strain["name"], strain["type"]).encode(), "image/svg+xml")

    # -- answers --------------------------------------------------------------

    def _error_body(self, status: int, message: str, method: str) -> dict[str, Any]:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        return {
            "success": False,
            "message": message,
            "errorCode": status,
            "error": phrase,
            "url": self.path,
            "urlMethod": method,
        }

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(
            status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"
        )

    def _send(self, status: int, content: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except OSError:  # the caller gave up (timed out) before the answer
            self.close_connection = True
