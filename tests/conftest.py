"""Shared fixtures: tenants are made by the real provisioning service, two at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection
from django.test import Client

import pytest

from sites.context import platform_scope, tenant_scope
from sites.models import Role, Tenant, User
from sites.provisioning import TenantSpec, add_staff, provision_tenant

PASSWORD = "correct horse battery staple"

# The tables' owner (USER, PASSWORD) while the suite connects as the application role.
_OWNER: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _fresh_cache_and_media(settings, tmp_path):
    from pages.versioned_cache import versioned_cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    versioned_cache.clear()
    yield
    cache.clear()
    versioned_cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate as the owner, then run every test as the non-owner application role.

    That is how production connects, so row-level security is really in force in the
    suite; the owner's credentials come back for pytest-django to drop the database.
    """
    from django.conf import settings

    app_url = getattr(settings, "APP_DATABASE_URL", "")
    with django_db_blocker.unblock():
        if not app_url or connection.vendor != "postgresql":
            yield
            return
        import environ

        app = environ.Env.db_url_config(app_url)
        owner = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
        connection.close()
        connection.settings_dict.update(USER=app["USER"], PASSWORD=app["PASSWORD"])
        _OWNER.update(owner)
    yield
    with django_db_blocker.unblock():
        _OWNER.clear()
        connection.close()
        connection.settings_dict.update(owner)


@contextmanager
def _connected_as(credentials: dict[str, str]) -> Iterator[None]:
    previous = {key: connection.settings_dict[key] for key in credentials}
    connection.close()
    connection.settings_dict.update(credentials)
    try:
        yield
    finally:
        connection.close()
        if _OWNER:  # not after the last test, once the owner has dropped the database
            connection.settings_dict.update(previous)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (``transactional_db``, ``live_server``) ends by flushing every
    table with TRUNCATE, which only the tables' owner may run; the application role may
    not, as in production. So that teardown, and only it, connects as the owner."""
    if not _OWNER or not _is_transactional(item):
        return (yield)
    with _connected_as(_OWNER):
        return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL: deselected on SQLite, never skipped.

    Under xdist (`make test` runs two workers with --dist loadgroup) the production-chain
    tests stay together on one worker: they share module fixtures that start nginx,
    gunicorn, pgbouncer and Celery, and fixed Redis databases. tryfirst: xdist reads the
    group in its own hook, which must run after this one.
    """
    for item in items:
        if item.get_closest_marker("deploy") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("deploy"))
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


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
def world(tenant_a, tenant_b, make_user):
    """Two tenants' admin-visible things and tenant A's staff (tests/admin_world.py)."""
    from tests.admin_world import build_world

    return build_world(tenant_a, tenant_b, make_user)


@pytest.fixture
def in_tenant():
    """``with in_tenant(t): ...`` runs a block as tenant ``t``."""
    return tenant_scope


@pytest.fixture
def client() -> Client:
    return Client()


def pytest_terminal_summary(terminalreporter):
    from tests.isolation.probes import PROBES

    if PROBES:
        by_channel = ", ".join(f"{channel} {count}" for channel, count in sorted(PROBES.items()))
        terminalreporter.write_line(f"isolation matrix: {sum(PROBES.values())} probes ({by_channel})")
