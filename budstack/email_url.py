"""``EMAIL_SERVER`` as Django email settings.

One URL says how mail leaves the platform::

    smtp://user:password@host:25          plain SMTP (port 25 by default)
    smtp://user:password@host:587?tls     STARTTLS (also smtp+tls://, ?starttls)
    smtps://user:password@host            implicit TLS (port 465 by default; also ?ssl)
    console://                            printed to stdout (development)
    memory://                             kept in ``django.core.mail.outbox`` (tests)

``?timeout=<seconds>`` bounds each SMTP conversation (10 by default), so a stuck
server fails the delivery task, which then retries, instead of hanging a worker.
User and password are percent-decoded, so ``p%40ss`` means ``p@ss``.

django-environ's ``email_url`` treats ``smtps`` as STARTTLS and ignores ``?tls``,
which is why the platform parses the URL itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_TIMEOUT = 10
_TRUE = {"", "1", "true", "yes", "on"}
_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _flag(query: dict[str, list[str]], *names: str) -> bool:
    return any(name in query and query[name][-1].lower() in _TRUE for name in names)


def parse_email_url(url: str) -> dict[str, Any]:
    """Django settings (``EMAIL_BACKEND``, ``EMAIL_HOST``, ...) for one ``EMAIL_SERVER`` URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in _BACKENDS:
        return {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl", "submission"}:
        raise ImproperlyConfigured(
            f"EMAIL_SERVER: unknown scheme {parts.scheme!r}; use smtp://, smtps:// or console://"
        )
    if not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_SERVER needs a host, e.g. smtp://user:password@smtp.example.com:587"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    use_ssl = scheme in {"smtps", "smtp+ssl"} or _flag(query, "ssl")
    use_tls = not use_ssl and (scheme in {"smtp+tls", "submission"} or _flag(query, "tls", "starttls"))
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_SERVER: {exc}") from exc
    if port is None:
        port = 465 if use_ssl else 587 if use_tls else 25
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[-1])
    except ValueError as exc:
        raise ImproperlyConfigured("EMAIL_SERVER: timeout must be a number of seconds") from exc
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }
