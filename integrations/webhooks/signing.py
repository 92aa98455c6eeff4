"""The signature of outbound deliveries, exactly as CONTRACT.md ("Outbound webhooks") says.

``X-BudStack-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
A receiver recomputes the HMAC over the exact bytes it received, compares in constant
time, and refuses timestamps too far from its clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE_HEADER = "X-BudStack-Signature"
EVENT_HEADER = "X-BudStack-Event"
DELIVERY_HEADER = "X-BudStack-Delivery"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-BudStack-Signature`` value for ``body``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (and what the tests do): signature right and recent enough."""
    try:
        fields = dict(part.strip().split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (ValueError, KeyError, AttributeError):
        return False
    # Compared as integers: a forged 400-digit timestamp must not overflow a float.
    if abs(int(time.time() if now is None else now) - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    # Bytes: compare_digest refuses str with non-ASCII characters (a forged header).
    return hmac.compare_digest(expected.encode(), fields.get("v1", "").encode())
