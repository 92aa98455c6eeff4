"""Request -> tenant: path `/store/<slug>/`, then `<slug>.<BUDSTACK_DOMAIN>`, then custom domain."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.request import split_domain_port

from sites.models import Tenant
from sites.models.tenant import tenant_cache_keys

STORE_PATH_RE = re.compile(r"^/store/(?P<slug>[^/]+)(?P<rest>/.*)?$")
_MISSING = "missing"
# Unknown names are cached briefly so that random hostnames cannot hammer the database.
NEGATIVE_CACHE_SECONDS = 30


class TenantNotFound(Exception):
    """The request names a tenant that does not exist."""


@dataclass(frozen=True)
class Resolution:
    tenant: Tenant | None
    style: str | None = None  # "path", "subdomain", "domain"
    prefix: str = ""  # "/store/<slug>" for path style
    rest: str = "/"  # path below the prefix


def _cached_lookup(key: str, **lookup) -> Tenant | None:
    found = cache.get(key)
    if found == _MISSING:
        return None
    if found is not None:
        return found
    tenant = Tenant.objects.select_related("site__root_page", "theme").filter(**lookup).first()
    if tenant is None:
        cache.set(key, _MISSING, NEGATIVE_CACHE_SECONDS)
    else:
        cache.set(key, tenant, settings.TENANT_CACHE_TIMEOUT)
    return tenant


SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


def tenant_by_slug(slug: str) -> Tenant | None:
    if not SLUG_RE.match(slug) or len(slug) > 63:
        return None
    return _cached_lookup(tenant_cache_keys(slug, None)[0], slug=slug)


HOSTNAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def tenant_by_domain(hostname: str) -> Tenant | None:
    # An empty or malformed name matches no custom domain (and must not match the
    # tenants that have none); it never reaches the cache or the database.
    if not HOSTNAME_RE.match(hostname) or len(hostname) > 253:
        return None
    # Only a domain whose owner proved control (DNS TXT, sites.domains) routes: an
    # unverified name could be anyone's typo, or someone else's domain.
    return _cached_lookup(
        tenant_cache_keys(None, hostname)[0], custom_domain=hostname, custom_domain_verified_at__isnull=False
    )


def request_hostname(request: HttpRequest) -> str:
    # The raw host: ALLOWED_HOSTS is enforced later by Django itself.
    return split_domain_port(request._get_raw_host())[0].lower().rstrip(".")


def resolve_from_path(path: str) -> Resolution | None:
    match = STORE_PATH_RE.match(path)
    if not match:
        return None
    tenant = tenant_by_slug(match["slug"])
    if tenant is None:
        raise TenantNotFound(match["slug"])
    return Resolution(tenant, "path", f"/store/{match['slug']}", match["rest"] or "")


def resolve_from_host(hostname: str) -> Resolution | None:
    domain = settings.BUDSTACK_DOMAIN
    if hostname in (domain, f"www.{domain}"):
        return None
    if hostname.endswith(f".{domain}"):
        label = hostname[: -len(domain) - 1]
        tenant = tenant_by_slug(label) if "." not in label else None
        if tenant is None:
            raise TenantNotFound(label)
        return Resolution(tenant, "subdomain")
    tenant = tenant_by_domain(hostname)
    return Resolution(tenant, "domain") if tenant else None


def resolve_request(request: HttpRequest, *, allow_path: bool = True) -> Resolution:
    # The early page cache resolves before the tenant middleware does: once per request.
    memo = request.__dict__.setdefault("_tenant_resolutions", {})
    key = (allow_path, request.path_info, request.META.get("HTTP_HOST"))
    if key not in memo:
        memo[key] = _resolve(request, allow_path)
    return memo[key]


def _resolve(request: HttpRequest, allow_path: bool) -> Resolution:
    if allow_path and (found := resolve_from_path(request.path_info)):
        return found
    return resolve_from_host(request_hostname(request)) or Resolution(None)
