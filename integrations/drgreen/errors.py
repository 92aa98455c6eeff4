"""What can go wrong talking to Dr. Green, as exceptions callers can act on.

The supplier's error envelope (``{"success": false, "message", "errorCode", ...}``) is
mapped once, in the client, into one of these. Callers catch :class:`Unavailable` to
degrade gracefully (the storefront keeps working without live supplier data) and show
:class:`ValidationFailed` messages to staff or patients.
"""

from __future__ import annotations


class DrGreenError(Exception):
    """Base class: any failure of a Dr. Green call."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        method: str = "",
        path: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.method} {self.path} -> {self.status})" if self.method else ""
        return f"{self.message}{where}"


class NotConfigured(DrGreenError):
    """The tenant has no usable credentials, or its integration is switched off."""


class AuthError(DrGreenError):
    """401/403: wrong key, bad signature, or an object bound to another API key."""


class NotFound(DrGreenError):
    """404, or a 5xx whose message says the object does not exist (the API does that)."""


class Conflict(DrGreenError):
    """409: e.g. a client with this email or phone number already exists for the key."""


class ValidationFailed(DrGreenError):
    """400/422: the request was refused; ``message`` is the supplier's (comma-joined) reason."""


class BadResponse(DrGreenError):
    """The answer was not the documented envelope (not JSON, missing fields, wrong types)."""


class Unavailable(DrGreenError):
    """The service could not answer: connection error, timeout, 5xx, or the circuit is open."""


class ServerError(Unavailable):
    """A 5xx answer (after retries, for calls that are retried)."""


class CircuitOpen(Unavailable):
    """Failing fast: too many consecutive failures recently; no request was sent."""

    def __init__(self, message: str, *, retry_after: float = 0.0, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
