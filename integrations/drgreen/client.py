"""A typed, signed, resilient client for the Dr. Green DApp API (DRGREEN_API.md).

Every call is signed (``signing``), has a timeout, and answers with typed values
(``types``) or raises one of ``errors``. Resilience, so that an outage never hangs a
storefront request:

- Reads (GET) are retried on connection errors, timeouts and 5xx, with exponential
  backoff and jitter, within an overall deadline. Writes are sent once: a retried
  ``POST /dapp/orders`` could create two orders. After :class:`Unavailable` from a write,
  read the state back (e.g. :meth:`DrGreenClient.list_orders`) before trying again.
- A circuit breaker shared through the Django cache (``breaker``) counts failed
  attempts per base URL and key; once open, calls fail at once with ``CircuitOpen``.

The client is thread-safe and keeps connections alive; close it (or use ``with``).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from . import signing
from .breaker import CircuitBreaker
from .errors import (
    AuthError,
    BadResponse,
    CircuitOpen,
    Conflict,
    DrGreenError,
    NotFound,
    ServerError,
    Unavailable,
    ValidationFailed,
)
from .types import (
    Cart,
    CartItem,
    ClientRegistration,
    Order,
    Page,
    Patient,
    Registration,
    Strain,
    alpha3,
)

logger = logging.getLogger("budstack.drgreen")

USER_AGENT = "BudStack-DrGreen/1"
_NOT_FOUND_MESSAGE = re.compile(r"\bnot\s+found\b|\bdoes\s+not\s+exist\b", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    """How idempotent calls are retried: ``attempts`` in all, waits doubling from ``backoff``."""

    attempts: int = 3
    backoff: float = 0.25
    max_backoff: float = 2.0

    def delay(self, retry: int) -> float:
        """Wait before retry number ``retry`` (1-based): half fixed, half random."""
        base = min(self.backoff * 2 ** (retry - 1), self.max_backoff)
        return base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not security


class DrGreenClient:
    """One API key pair against one base URL. See the module docstring."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        timeout: float = 5.0,
        connect_timeout: float = 3.0,
        deadline: float | None = 10.0,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        if not api_key or not secret_key:
            raise signing.InvalidKey("an API key and a secret key are both required")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key.strip()
        self._secret = signing.load_secret_key(secret_key)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker.for_endpoint(self.base_url, self.api_key)
        self._http = httpx.Client(
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"<DrGreenClient {self.base_url} key={self.api_key[:12]}…>"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DrGreenClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------
    # Strains
    # ------------------------------------------------------------------

    def list_strains(
        self,
        country: str,
        *,
        page: int = 1,
        take: int = 10,
        search: str | None = None,
        order_by: str | None = None,
        timeout: float | None = None,
    ) -> Page[Strain]:
        """One page of the strains active and available in ``country`` (alpha-2 or alpha-3)."""
        query = [
            ("countryCode", alpha3(country)),
            ("search", search or None),
            ("page", page),
            ("take", take),
            ("orderBy", _order(order_by)),
        ]
        data = self._get("/dapp/strains", query=query, timeout=timeout)
        return _parse(lambda: Page.from_api(data, "strains", Strain.from_api))

    def iter_strains(
        self, country: str, *, take: int = 50, search: str | None = None, timeout: float | None = None
    ) -> Iterator[Strain]:
        """Every strain for ``country``, page by page (each page is one call)."""
        page = 1
        while True:
            result = self.list_strains(country, page=page, take=take, search=search, timeout=timeout)
            yield from result.items
            if not result.meta.has_next_page or not result.items:
                return
            page += 1

    def get_strain(self, strain_id: str, country: str, *, timeout: float | None = None) -> Strain:
        data = self._get(
            f"/dapp/strains/{_segment(strain_id)}",
            query=[("countryCode", alpha3(country))],
            timeout=timeout,
        )
        return _parse(lambda: Strain.from_api(_unwrap_key(data, "strain"), "data"))

    # ------------------------------------------------------------------
    # Clients (patients)
    # ------------------------------------------------------------------

    def register_client(
        self, registration: ClientRegistration | Mapping[str, Any], *, timeout: float | None = None
    ) -> Registration:
        """Register a patient; 409 (:class:`Conflict`) when the email or phone is taken."""
        body = registration.to_api() if isinstance(registration, ClientRegistration) else dict(registration)
        data = self._send("POST", "/dapp/clients", body=body, timeout=timeout)
        return _parse(lambda: Registration.from_api(data))

    def get_client(self, client_id: str, *, timeout: float | None = None) -> Patient:
        data = self._get(
            f"/dapp/clients/{_segment(client_id)}", path_params={"clientId": client_id}, timeout=timeout
        )
        return _parse(lambda: Patient.from_api(_unwrap_key(data, "client"), "data"))

    # ------------------------------------------------------------------
    # Cart
    # ------------------------------------------------------------------

    def add_to_cart(
        self,
        cart_id: str,
        items: Sequence[CartItem | tuple[str, Decimal | str | float]],
        *,
        timeout: float | None = None,
    ) -> Cart:
        """Add grams of strains to the client's server-side cart (``Patient.cart_id``)."""
        lines = [
            item if isinstance(item, CartItem) else CartItem(item[0], Decimal(str(item[1]))) for item in items
        ]
        if not lines:
            raise ValueError("add_to_cart() needs at least one item")
        body = {"clientCartId": cart_id, "items": [line.to_api() for line in lines]}
        data = self._send("POST", "/dapp/carts", body=body, timeout=timeout)
        return _parse(lambda: Cart.from_api(data))

    def remove_from_cart(
        self, cart_id: str, strain_id: str | None = None, *, timeout: float | None = None
    ) -> Cart:
        """Remove one strain from the cart, or empty it when ``strain_id`` is None."""
        data = self._send(
            "DELETE",
            f"/dapp/carts/{_segment(cart_id)}",
            query=[("strainId", strain_id)],
            path_params={"cartId": cart_id},
            timeout=timeout,
        )
        return _parse(lambda: Cart.from_api(data))

    # ------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------

    def create_order(self, client_id: str, *, timeout: float | None = None) -> Order:
        """Turn the client's cart into an order. Sent once, never retried (see module docstring)."""
        data = self._send("POST", "/dapp/orders", body={"clientId": client_id}, timeout=timeout)
        return _parse(lambda: Order.from_api(_unwrap_key(data, "order"), "data"))

    def list_orders(
        self,
        client_ids: str | Sequence[str],
        *,
        page: int = 1,
        take: int = 10,
        order_by: str | None = None,
        timeout: float | None = None,
    ) -> Page[Order]:
        ids = [client_ids] if isinstance(client_ids, str) else list(client_ids)
        query = [
            ("clientIds", json.dumps(ids, separators=(",", ":"))),
            ("page", page),
            ("take", take),
            ("orderBy", _order(order_by)),
        ]
        data = self._get("/dapp/orders", query=query, timeout=timeout)
        return _parse(lambda: Page.from_api(data, "orders", Order.from_api))

    def get_order(self, order_id: str, *, timeout: float | None = None) -> Order:
        data = self._get(
            f"/dapp/orders/{_segment(order_id)}", path_params={"orderId": order_id}, timeout=timeout
        )
        return _parse(lambda: Order.from_api(_unwrap_key(data, "order"), "data"))

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------

    def _get(self, path: str, **kwargs: Any) -> Any:
        return self._request("GET", path, idempotent=True, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, idempotent=False, **kwargs)

    def _request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        query: Sequence[tuple[str, Any]] = (),
        body: Any = None,
        path_params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        query_string = signing.encode_query(query)
        content = signing.body_bytes(body) if body is not None else None
        payload = signing.payload_string(body=content, query=query_string, path_params=path_params)
        headers = {
            "x-auth-apikey": self.api_key,
            "x-auth-signature": signing.sign(payload, self._secret),
            "Content-Type": "application/json",
        }
        url = f"{self.base_url}{path}" + (f"?{query_string}" if query_string else "")
        attempts = self.retry.attempts if idempotent else 1
        per_try = timeout or self.timeout
        started = time.monotonic()
        give_up_at = started + self.deadline if self.deadline else None
        failure: Unavailable | None = None

        for attempt in range(1, attempts + 1):
            allowed, retry_after = self.breaker.allow()
            if not allowed:
                raise CircuitOpen(
                    f"Dr. Green is unavailable (circuit open, retry in {retry_after:.0f}s)",
                    retry_after=retry_after,
                    method=method,
                    path=path,
                )
            budget = per_try if give_up_at is None else min(per_try, give_up_at - time.monotonic())
            if budget <= 0:
                break
            failure, response = self._attempt(method, url, path, content, headers, budget)
            if failure is None:
                self.breaker.record_success()
                return _unwrap(response, method, path)
            self.breaker.record_failure()
            if attempt < attempts:
                pause = self.retry.delay(attempt)
                if give_up_at is not None and time.monotonic() + pause >= give_up_at:
                    break
                logger.info(
                    "Dr. Green %s %s failed (%s); retry %d in %.2fs", method, path, failure, attempt, pause
                )
                time.sleep(pause)
        raise failure or Unavailable("Dr. Green call deadline exceeded", method=method, path=path)

    def _attempt(
        self, method: str, url: str, path: str, content: bytes | None, headers: dict[str, str], budget: float
    ) -> tuple[Unavailable | None, httpx.Response | None]:
        """One HTTP exchange: ``(None, response)``, or ``(failure, None)`` for what counts as an outage."""
        start = time.monotonic()
        try:
            response = self._http.request(
                method,
                url,
                content=content,
                headers=headers,
                timeout=httpx.Timeout(budget, connect=min(self.connect_timeout, budget)),
            )
        except httpx.TimeoutException as exc:
            return Unavailable(f"Dr. Green timed out ({type(exc).__name__})", method=method, path=path), None
        except httpx.TransportError as exc:
            return Unavailable(f"Dr. Green could not be reached ({exc!r})", method=method, path=path), None
        elapsed = (time.monotonic() - start) * 1000
        logger.debug("Dr. Green %s %s -> %s in %.0fms", method, path, response.status_code, elapsed)
        if response.status_code >= 500:
            error = _error(response, method, path)
            if isinstance(error, ServerError):
                return error, None
        return None, response


# ---------------------------------------------------------------------------
# The envelope
# ---------------------------------------------------------------------------


def _unwrap(response: httpx.Response, method: str, path: str) -> Any:
    """``data`` of a success envelope; any error envelope raised as its exception."""
    error = _error(response, method, path)
    if error is not None:
        raise error
    body = response.json()
    if "data" not in body:
        raise BadResponse(
            "success envelope without data", status=response.status_code, method=method, path=path
        )
    return body["data"]


def _error(response: httpx.Response, method: str, path: str) -> DrGreenError | None:
    """The exception an answer stands for, or None for a well-formed success envelope."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = response.text[:200].strip() or response.reason_phrase
        if status >= 400:
            return _for_status(status, text, None, method, path)
        return BadResponse(f"not a JSON envelope: {text!r}", status=status, method=method, path=path)
    if status < 400 and body.get("success") is not False:
        return None
    if status < 400:  # an error envelope with a 2xx status
        status = _int(body.get("statusCode")) or _int(body.get("errorCode")) or 400
    message = body.get("message") or body.get("error") or response.reason_phrase
    if isinstance(message, list):
        message = ", ".join(str(part) for part in message)
    return _for_status(status, str(message), _int(body.get("errorCode")), method, path)


def _for_status(status: int, message: str, error_code: int | None, method: str, path: str) -> DrGreenError:
    kind: type[DrGreenError]
    if status in (401, 403):
        kind = AuthError
    elif status == 404 or (status == 500 and _NOT_FOUND_MESSAGE.search(message)):
        kind = NotFound  # the API answers some missing objects with 500
    elif status == 409:
        kind = Conflict
    elif status in (400, 422):
        kind = ValidationFailed
    elif status >= 500:
        kind = ServerError
    else:
        kind = DrGreenError
    return kind(message, status=status, error_code=error_code, method=method, path=path)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _unwrap_key(data: Any, key: str) -> Any:
    """Some answers wrap the object (``{"client": {...}}``), some do not."""
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        return data[key]
    return data


def _parse(build):
    try:
        return build()
    except BadResponse:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadResponse(f"unexpected answer: {exc}") from exc


def _segment(value: str) -> str:
    if not value:
        raise ValueError("an id is required")
    return quote(str(value), safe="")


def _order(order_by: str | None) -> str | None:
    if order_by is None:
        return None
    if order_by.lower() not in ("asc", "desc"):
        raise ValueError("order_by must be 'asc' or 'desc'")
    return order_by.lower()
