"""API tokens in the Wagtail admin: tenant admins list and revoke their tenant's tokens only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sites.context import platform_scope
from sites.models import ApiToken, Role
from tests.admin_world import log_in

pytestmark = pytest.mark.django_db


def token_id(raw: str) -> int:
    with platform_scope("test"):
        return next(t.pk for t in ApiToken.objects.all() if raw.startswith(t.prefix))


def works(raw: str) -> bool:
    return APIClient().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_tenant_admins_revoke_their_tenants_tokens_and_never_see_others(
    client, tenant_a, tenant_b, make_user, token_for
):
    admin = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    ours = token_for(tenant_a, Role.PATIENT)
    theirs = token_for(tenant_b, Role.PATIENT)
    log_in(client, admin)

    listing = client.get("/admin/api-tokens/")
    assert listing.status_code == 200
    assert ours[:12].encode() in listing.content and theirs[:12].encode() not in listing.content

    assert client.get(f"/admin/api-tokens/delete/{token_id(theirs)}/").status_code == 404
    assert client.post(f"/admin/api-tokens/delete/{token_id(theirs)}/").status_code == 404
    assert works(theirs)

    assert client.post(f"/admin/api-tokens/delete/{token_id(ours)}/").status_code == 302
    assert not works(ours)


def test_editors_cannot_reach_the_token_list_and_super_admins_see_all(
    client, tenant_a, tenant_b, make_user, token_for
):
    ours = token_for(tenant_a, Role.PATIENT)
    theirs = token_for(tenant_b, Role.PATIENT)
    log_in(client, make_user(tenant_a, Role.EDITOR, email="ed@alpha.example"))
    response = client.get("/admin/api-tokens/")
    assert response.status_code in (302, 403) and ours[:12].encode() not in response.content
    client.logout()
    log_in(client, make_user(None, Role.SUPER_ADMIN))
    listing = client.get("/admin/api-tokens/")
    assert ours[:12].encode() in listing.content and theirs[:12].encode() in listing.content
