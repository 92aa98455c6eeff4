"""The fake server's memory: per-API-key data, injected failures, request counts.

Everything is held per API key, as the real service binds clients to the key that
created them; ids are unique across keys so a client of another key can be told apart
from one that does not exist (401 versus 404). One lock guards it all: this is a test
double, not a database.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .catalog import build_catalog


class ApiError(Exception):
    """Answered with the error envelope: ``status`` and ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


FAILURE_MODES = ("error", "hang", "slow", "drop")


@dataclass
class FailureRule:
    """Make matching API requests fail: for the next ``remaining`` ones, or until cleared.

    ``error`` answers ``status`` (500 by default); ``hang`` waits ``delay`` seconds (60
    by default) and closes the connection without answering; ``slow`` waits ``delay``
    then answers normally; ``drop`` closes the connection at once.
    """

    id: int
    mode: str
    status: int = 500
    delay: float = 0.0
    remaining: int | None = None
    path: str | None = None  # regular expression searched in the path below /api/v1
    method: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method and self.method.upper() != method:
            return False
        return not self.path or re.search(self.path, path) is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mode": self.mode,
            "status": self.status,
            "delay": self.delay,
            "remaining": self.remaining,
            "path": self.path,
            "method": self.method,
            "hits": self.hits,
        }


def fingerprint(api_key: str) -> str:
    """A short, stable name for an API key (in events and the state dump)."""
    return hashlib.sha256(api_key.strip().encode()).hexdigest()[:16]


@dataclass
class KeyState:
    api_key: str
    stock: dict[tuple[str, str], Decimal]
    clients: dict[str, dict] = field(default_factory=dict)
    # cart id -> {"id", "clientId", "items": {strain id: grams}}
    carts: dict[str, dict] = field(default_factory=dict)
    orders: dict[str, dict] = field(default_factory=dict)
    invoice_seq: int = 0

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.api_key)


class FakeState:
    def __init__(self, public_url: str, *, kyc_links: bool = True):
        self.lock = threading.RLock()
        self.public_url = public_url.rstrip("/")
        self.kyc_links = kyc_links
        self.catalog = build_catalog(self.public_url)
        self.strains = {strain["id"]: strain for strain in self.catalog}
        self._base_stock = {
            (strain["id"], loc["location"]["countryCode"]): Decimal(str(loc["stockQuantity"]))
            for strain in self.catalog
            for loc in strain["strainLocations"]
        }
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.keys: dict[str, KeyState] = {}
            self.failures: list[FailureRule] = []
            self._failure_ids = 0
            self.request_counts: Counter[str] = Counter()
            self.request_log: deque[dict[str, Any]] = deque(maxlen=500)
            self.stock_overrides: dict[tuple[str, str], Decimal] = {}

    # -- data -------------------------------------------------------------

    def key_state(self, api_key: str) -> KeyState:
        """The data of one API key, created on first use (any well-signed key is accepted)."""
        api_key = api_key.strip()
        with self.lock:
            if api_key not in self.keys:
                stock = {**self._base_stock, **self.stock_overrides}
                self.keys[api_key] = KeyState(api_key=api_key, stock=stock)
            return self.keys[api_key]

    def find(self, kind: str, object_id: str) -> tuple[KeyState, dict] | None:
        """``kind`` is ``clients``, ``carts`` or ``orders``; searched across every key."""
        with self.lock:
            for ks in self.keys.values():
                found = getattr(ks, kind).get(object_id)
                if found is not None:
                    return ks, found
        return None

    def set_stock(self, strain_id: str, country: str, quantity: Decimal, api_key: str | None = None) -> None:
        if strain_id not in self.strains:
            raise ApiError(404, "Strain not found")
        with self.lock:
            if api_key:
                self.key_state(api_key).stock[(strain_id, country)] = quantity
                return
            self.stock_overrides[(strain_id, country)] = quantity
            for ks in self.keys.values():
                ks.stock[(strain_id, country)] = quantity

    def strain_copy(self, strain_id: str) -> dict:
        return copy.deepcopy(self.strains[strain_id])

    # -- failures and counts ----------------------------------------------

    def add_failure(self, **options: Any) -> FailureRule:
        mode = options.get("mode", "error")
        if mode not in FAILURE_MODES:
            raise ApiError(400, f"mode must be one of the following values: {', '.join(FAILURE_MODES)}")
        if options.get("path"):
            try:
                re.compile(options["path"])
            except re.error as exc:
                raise ApiError(400, f"path must be a regular expression: {exc}") from None
        with self.lock:
            self._failure_ids += 1
            rule = FailureRule(
                id=self._failure_ids,
                mode=mode,
                status=int(options.get("status") or 500),
                delay=float(options.get("delay") or (60.0 if mode == "hang" else 0.0)),
                remaining=None if options.get("count") is None else int(options["count"]),
                path=options.get("path") or None,
                method=(options.get("method") or None),
            )
            self.failures.append(rule)
            return rule

    def take_failure(self, method: str, path: str) -> FailureRule | None:
        with self.lock:
            for rule in self.failures:
                if rule.matches(method, path):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule
        return None

    def clear_failures(self) -> None:
        with self.lock:
            self.failures.clear()

    def count_request(self, method: str, route: str, path: str, query: str = "") -> None:
        with self.lock:
            self.request_counts["total"] += 1
            self.request_counts[f"{method} {route}"] += 1
            self.request_log.append({"method": method, "path": path, "query": query, "route": route})

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "keys": [
                    {
                        "fingerprint": ks.fingerprint,
                        "clients": len(ks.clients),
                        "orders": len(ks.orders),
                    }
                    for ks in self.keys.values()
                ],
                "failures": [rule.as_dict() for rule in self.failures],
                "requests": dict(self.request_counts),
                "strains": len(self.catalog),
            }
