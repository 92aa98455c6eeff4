"""The SSRF guard: webhook URLs must not lead into our own network.

A tenant admin chooses the URL, and the platform's workers POST to it: without a check,
``http://169.254.169.254/`` or ``http://redis:6379/`` would make the platform attack
itself. A URL is refused when its host resolves to any loopback, private, link-local,
shared, multicast, reserved or unspecified address, checked when the endpoint is saved
and again right before each delivery (DNS may have changed since). Redirects are never
followed (see ``delivery``). ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` lifts the check for
development and tests.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeTarget(ValueError):
    """A URL the platform refuses to call; the message is safe to show the tenant admin."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeTarget(f"The host {host!r} could not be resolved.") from exc
    return sorted({info[4][0] for info in infos})


def check_url(url: str) -> None:
    """Raise :class:`UnsafeTarget` unless ``url`` is http(s) to a public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeTarget("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeTarget("Put credentials in the receiver, not in the URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("The URL has an invalid port.") from exc
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    for raw in resolve(parts.hostname, port):
        address = ipaddress.ip_address(raw.split("%", 1)[0])
        if not _is_public(address):
            raise UnsafeTarget(
                f"{parts.hostname} resolves to {address}, a loopback, private or link-local "
                "address: webhooks can only go to the public internet."
            )
