"""Relay of status changes to a BudStack inbound webhook, signed like our own webhooks.

The supplier itself sends no webhooks (DRGREEN_API.md, "Status changes"); some
deployments relay its changes, and BudStack accepts them at
``POST /api/v1/integrations/drgreen/webhook``. The fake server plays that relay when a
target is configured (``--webhook-url``/``--webhook-secret`` or ``POST
/_control/webhook``). Each event is POSTed as JSON::

    {"id": "evt_<32 hex>", "type": "client.kyc_verified", "created": <unix seconds>,
     "apiKey": "<fingerprint: first 16 hex of sha256(api key)>", "data": {...}}

with headers ``X-DrGreen-Event: <type>``, ``X-DrGreen-Event-Id: <id>`` and
``X-DrGreen-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
A receiver checks the signature and the timestamp (``signing.verify_webhook_signature``)
and drops ids it has already processed. Types: ``client.kyc_verified``,
``client.approved``, ``client.rejected``, ``client.updated``,
``order.status_changed``. Delivery runs in the background: three tries with backoff,
2xx is success; every attempt is kept for ``GET /_control/webhook``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from typing import Any

from ..signing import WEBHOOK_SIGNATURE_HEADER, webhook_signature

logger = logging.getLogger("drgreen.fake")


class WebhookRelay:
    def __init__(self, url: str = "", secret: str = "", *, attempts: int = 3, timeout: float = 5.0):
        self.url = url
        self.secret = secret
        self.attempts = attempts
        self.timeout = timeout
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=200)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.secret)

    def configure(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    def emit(self, event_type: str, api_key_fingerprint: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Queue one event for delivery; returns it (or None when no target is configured)."""
        if not self.enabled:
            return None
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": event_type,
            "created": int(time.time()),
            "apiKey": api_key_fingerprint,
            "data": data,
        }
        thread = threading.Thread(target=self._deliver, args=(event, self.url, self.secret), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return event

    def wait(self, timeout: float = 10.0) -> None:
        """Block until queued deliveries finish (tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _deliver(self, event: dict[str, Any], url: str, secret: str) -> None:
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
        record: dict[str, Any] = {"id": event["id"], "type": event["type"], "url": url, "attempts": []}
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(  # noqa: S310 - the URL is configured by the operator
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "DrGreen-Fake-Relay/1",
                    "X-DrGreen-Event": event["type"],
                    "X-DrGreen-Event-Id": event["id"],
                    WEBHOOK_SIGNATURE_HEADER: webhook_signature(secret, body),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError) as exc:
                status = None
                record["attempts"].append({"status": None, "error": str(exc)})
            if status is not None:
                record["attempts"].append({"status": status})
                if 200 <= status < 300:
                    record["delivered"] = True
                    break
            if attempt < self.attempts:
                time.sleep(0.5 * 2 ** (attempt - 1))
        else:
            record["delivered"] = False
            logger.warning("webhook %s to %s was not delivered", event["id"], url)
        self.deliveries.append(record)
