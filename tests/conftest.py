"""Shared fixtures: tenants are made by the real provisioning service, two at a time."""

from __future__ import annotations

import os

from django.core.cache import cache
from django.db import connection
from django.test import Client

import pytest

from sites.context import platform_scope, tenant_scope
from sites.models import Role, Tenant, User
from sites.provisioning import TenantSpec, add_staff, provision_tenant

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _real_services_when_required(django_db_setup, django_db_blocker):
    """`make test` promises PostgreSQL and Redis: fail loudly if they are not in use."""
    if os.environ.get("BUDSTACK_REQUIRE_SERVICES") == "1":
        from django.conf import settings

        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "make test must run on PostgreSQL"
        assert "RedisCache" in settings.CACHES["default"]["BACKEND"], "make test must use Redis"


@pytest.fixture
def make_tenant(db):
    def make(slug: str, name: str | None = None, country: str = "GB", theme: str = "sage") -> Tenant:
        spec = TenantSpec(slug, name or slug.title(), country, theme, f"owner@{slug}.example")
        return provision_tenant(spec).tenant

    return make


@pytest.fixture
def tenant_a(make_tenant) -> Tenant:
    return make_tenant("alpha", "Alpha Dispensary", "GB", "sage")


@pytest.fixture
def tenant_b(make_tenant) -> Tenant:
    return make_tenant("bravo", "Bravo Clinic", "PT", "clinic")


@pytest.fixture
def make_user(db):
    def make(tenant: Tenant | None, role: str = Role.PATIENT, email: str | None = None, **fields) -> User:
        email = email or f"{role.lower()}@{tenant.slug if tenant else 'platform'}.example"
        with platform_scope("test user"):
            if role == Role.SUPER_ADMIN:
                user = User.objects.create_superuser(email, PASSWORD, **fields)
            elif role == Role.PATIENT:
                user = User.objects.create_user(email, PASSWORD, role=role, tenant=tenant, **fields)
            else:
                user = add_staff(tenant, email, role, **fields)
                user.set_password(PASSWORD)
                user.save()
        return user

    return make


@pytest.fixture
def in_tenant():
    """``with in_tenant(t): ...`` runs a block as tenant ``t``."""
    return tenant_scope


@pytest.fixture
def client() -> Client:
    return Client()
