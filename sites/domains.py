"""Custom domains: a tenant proves it controls a name (DNS TXT) before it routes there.

The tenant admin enters a domain; the platform shows two records to create:

- ``CNAME <domain> -> <CUSTOM_DOMAIN_CNAME_TARGET>`` so requests reach the platform;
- ``TXT _budstack-challenge.<domain> = <token>`` to prove control.

:func:`verify` looks the TXT record up (dnspython; ``CUSTOM_DOMAIN_NAMESERVERS`` picks the
servers, so tests can answer from a local one) and marks the domain verified. Only verified
domains are resolved to a tenant (sites.resolution) or get a TLS certificate (the
``/_tls/ask`` endpoint that Caddy's on-demand TLS consults).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import dns.exception
import dns.resolver

from sites.models import Tenant

CHALLENGE_LABEL = "_budstack-challenge"
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DNS_TIMEOUT_SECONDS = 5.0


class DomainError(Exception):
    """A domain that cannot be added or verified; the message is for the tenant admin."""


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str


def allowed(tenant: Tenant) -> bool:
    """Plans without the feature cannot add a domain; no plan means no plan limits."""
    return tenant.plan is None or tenant.plan.allows_custom_domain


def normalise(domain: str) -> str:
    domain = (domain or "").strip().lower().rstrip(".")
    if domain.startswith(("http://", "https://")):
        domain = domain.split("://", 1)[1].split("/", 1)[0]
    return domain


def validate_domain(domain: str) -> None:
    platform = settings.BUDSTACK_DOMAIN
    if not DOMAIN_RE.fullmatch(domain):
        raise ValidationError("Enter a domain name such as shop.example.com.", code="invalid_domain")
    if domain == platform or domain.endswith(f".{platform}"):
        raise ValidationError(f"Names under {platform} are the platform's own.", code="platform_domain")


def set_domain(tenant: Tenant, domain: str | None) -> Tenant:
    """Give the tenant a new (unverified) domain with a fresh challenge token, or none."""
    if domain is not None and not allowed(tenant):
        raise DomainError("Your plan does not include a custom domain.")
    if domain:
        domain = normalise(domain)
        try:
            validate_domain(domain)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from error
    tenant.custom_domain = domain or None
    try:
        with transaction.atomic():
            tenant.save()  # resets verification when the name changes
            if domain and not tenant.custom_domain_token:
                tenant.custom_domain_token = secrets.token_urlsafe(24)
                tenant.save(update_fields=["custom_domain_token", "updated_at"])
    except IntegrityError as error:
        raise DomainError("Another storefront already uses that domain.") from error
    return tenant


def cname_target() -> str:
    return (settings.CUSTOM_DOMAIN_CNAME_TARGET or settings.BUDSTACK_DOMAIN).strip(".")


def required_records(tenant: Tenant) -> list[DnsRecord]:
    if not tenant.custom_domain:
        return []
    return [
        DnsRecord("CNAME", tenant.custom_domain, cname_target() + "."),
        DnsRecord("TXT", f"{CHALLENGE_LABEL}.{tenant.custom_domain}", tenant.custom_domain_token),
    ]


def resolver() -> dns.resolver.Resolver:
    """The system resolver, or the servers of ``CUSTOM_DOMAIN_NAMESERVERS`` ("host[:port]")."""
    servers = settings.CUSTOM_DOMAIN_NAMESERVERS
    if not servers:
        found = dns.resolver.Resolver()
    else:
        found = dns.resolver.Resolver(configure=False)
        hosts, ports = [], set()
        for server in servers:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            hosts.append(host or server)
            ports.add(int(port) if port else 53)
        found.nameservers = hosts
        found.port = ports.pop() if len(ports) == 1 else 53
    found.lifetime = DNS_TIMEOUT_SECONDS
    found.timeout = DNS_TIMEOUT_SECONDS
    return found


def txt_values(name: str) -> list[str]:
    try:
        answer = resolver().resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []
    except dns.exception.Timeout as error:
        raise DomainError("The DNS lookup timed out; try again in a minute.") from error
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def verify(tenant: Tenant) -> bool:
    """Look the challenge up; on a match the domain starts routing. Returns whether it did."""
    if not tenant.custom_domain or not tenant.custom_domain_token:
        raise DomainError("Add a domain first.")
    if not allowed(tenant):
        raise DomainError("Your plan does not include a custom domain.")
    values = txt_values(f"{CHALLENGE_LABEL}.{tenant.custom_domain}")
    if tenant.custom_domain_token not in values:
        return False
    tenant.custom_domain_verified_at = timezone.now()
    tenant.save(update_fields=["custom_domain_verified_at", "updated_at"])
    return True


def is_routable(hostname: str) -> bool:
    """True for the platform's own names and verified custom domains (TLS ask endpoint)."""
    hostname = normalise(hostname)
    platform = settings.BUDSTACK_DOMAIN
    if hostname == platform or hostname == f"www.{platform}":
        return True
    if hostname.endswith(f".{platform}"):
        label = hostname[: -len(platform) - 1]
        return "." not in label and Tenant.objects.filter(slug=label).exists()
    return Tenant.objects.filter(custom_domain=hostname, custom_domain_verified_at__isnull=False).exists()
