"""Schemathesis walks the OpenAPI schema of /api/v1/schema/ against the application.

Every documented operation is called with generated input, anonymously (with a generated
X-Tenant-Slug), as a patient and a tenant admin of one dispensary, and as a super admin
without a tenant. No answer may be a 5xx, and every answer (status, content type,
headers, body) must be one the schema documents. The number of examples is bounded so
that the run fits in CI.
"""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sites.models import Role

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def wsgi_app():
    return WSGIHandler()


def _served_schema() -> dict:
    """The document /api/v1/schema/ serves, built the same way (no database needed)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


@pytest.fixture
def catalog(tenant_a, product_in):
    return product_in(tenant_a, "Fuzz Kush", "GB")


def test_the_served_schema_is_the_one_fuzzed(client):
    response = client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == _served_schema()["paths"].keys()


@pytest.fixture
def callers(tenant_a, token_for) -> dict[str, dict[str, str]]:
    """Headers of each caller (every generated case is sent once per caller)."""
    headers = {"anonymous": {}}
    headers["super_admin"] = {"Authorization": f"Bearer {token_for(None, Role.SUPER_ADMIN)}"}
    for role in (Role.PATIENT, Role.TENANT_ADMIN):
        headers[role.lower()] = {
            "Authorization": f"Bearer {token_for(tenant_a, role)}",
            "X-Tenant-Slug": "alpha",
        }
    # The WSGI handler runs in this thread, inside the test's transaction: it must not
    # close the connection at the start or end of each request (Django's test client does the same).
    # (After the tokens: Django's test client reconnects the handlers after each request.)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(_served_schema())


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, catalog, callers, wsgi_app):
    for name, headers in callers.items():
        response = case.call(app=wsgi_app, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as error:
            error.add_note(f"caller: {name}")
            raise
