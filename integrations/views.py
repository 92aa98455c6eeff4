"""Admin screens of the integrations app: a tenant admin's Dr. Green credentials."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from integrations.drgreen.credentials import check_connection, store_credentials
from integrations.forms import DrGreenCredentialsForm
from integrations.models import DrGreenCredentials
from sites.audit import record_audit
from sites.models import Role


def _tenant_admin(request: HttpRequest):
    if request.user.role != Role.TENANT_ADMIN or getattr(request, "tenant", None) is None:
        raise PermissionDenied
    return request.tenant


def key_fingerprint(api_key: str) -> str:
    """A short, public identifier of an API key for the audit trail and the screen."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def drgreen_settings(request: HttpRequest) -> HttpResponse:
    """Set or replace the tenant's key pair; the secret key is write-only."""
    tenant = _tenant_admin(request)
    credentials = DrGreenCredentials.objects.filter(tenant=tenant).first()
    stored_secret = credentials.secret_key if credentials and credentials.has_secret_key else None
    initial = {"api_key": credentials.api_key, "enabled": credentials.enabled} if credentials else {}
    form = DrGreenCredentialsForm(request.POST or None, initial=initial, stored_secret=stored_secret)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        replaced_secret = bool(data["secret_key"])
        credentials = store_credentials(
            tenant,
            data["api_key"],
            data["secret_key"] or stored_secret,
            base_url=credentials.base_url if credentials else "",
            enabled=data["enabled"],
        )
        record_audit(
            "drgreen.credentials_changed",
            request=request,
            target=credentials,
            data={
                "api_key_fingerprint": key_fingerprint(credentials.api_key),
                "secret_key_replaced": replaced_secret,
                "enabled": credentials.enabled,
            },
        )
        messages.success(request, "Dr. Green credentials saved. Use “Test connection” to check them.")
        return redirect("integrations_drgreen")
    return TemplateResponse(
        request,
        "integrations/admin/drgreen.html",
        {
            "form": form,
            "credentials": credentials,
            "fingerprint": key_fingerprint(credentials.api_key) if credentials else "",
            "check": request.session.pop("drgreen_check", None),
        },
    )


@require_POST
def drgreen_test(request: HttpRequest) -> HttpResponse:
    """Call Dr. Green once with the stored credentials and say what happened."""
    tenant = _tenant_admin(request)
    result = check_connection(tenant)
    record_audit(
        "drgreen.connection_tested",
        request=request,
        data={"ok": result.ok, "base_url": result.base_url, "message": result.message},
    )
    (messages.success if result.ok else messages.error)(request, result.message)
    request.session["drgreen_check"] = {
        "ok": result.ok,
        "message": result.message,
        "base_url": result.base_url,
    }
    return redirect("integrations_drgreen")
