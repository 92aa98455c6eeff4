"""Theme static files for package and uploaded themes, and the admin's theme screens."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils._os import safe_join
from django.views.decorators.http import require_POST

from billing.entitlements import FeatureUnavailable, allows
from sites.audit import record_audit
from sites.models import Role, Tenant
from themes import preview
from themes.forms import ThemeUploadForm
from themes.installer import ThemeInUse, install_zip, tenants_using, uninstall
from themes.models import Theme
from themes.validation import ThemeZipError

ONE_YEAR = 60 * 60 * 24 * 365


def theme_static(request: HttpRequest, slug: str, version: str, path: str) -> FileResponse:
    """Versioned, so cached for a year; only files under the theme's static/."""
    theme = Theme.objects.filter(slug=slug, version=version).first()
    if theme is None:
        raise Http404("No such theme")
    static_root = str(theme.directory() / "static")
    try:
        file_path = Path(safe_join(static_root, path))
    except Exception as error:  # noqa: BLE001 - any escape attempt is a plain 404
        raise Http404("No such file") from error
    if not file_path.is_file():
        raise Http404("No such file")
    content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
    response = FileResponse(file_path.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _tenant_admin(request: HttpRequest):
    user = request.user
    if user.role != Role.TENANT_ADMIN or request.tenant is None:
        raise PermissionDenied
    return request.tenant


def choose_theme(request: HttpRequest) -> HttpResponse:
    """A tenant admin's theme screen: preview any installed theme, apply it, roll back."""
    tenant = _tenant_admin(request)
    return TemplateResponse(
        request,
        "themes/admin/choose.html",
        {
            "tenant": tenant,
            "themes": Theme.objects.all(),
            "current": tenant.theme,
            "previous": tenant.previous_theme,
        },
    )


@require_POST
def apply_theme(request: HttpRequest, theme_id: int) -> HttpResponse:
    tenant = _tenant_admin(request)
    theme = get_object_or_404(Theme, pk=theme_id)
    if theme.source != Theme.Source.BUILTIN and not allows(tenant, "custom_themes"):
        messages.error(request, str(FeatureUnavailable(tenant, "custom_themes")))
        return redirect("themes_choose")
    if theme.pk != tenant.theme_id:
        tenant.previous_theme, tenant.theme = tenant.theme, theme
        tenant.save(update_fields=["theme", "previous_theme", "updated_at"])
        messages.success(request, f"{theme} is now your storefront's theme.")
    request.session.pop(f"theme_preview:{tenant.pk}", None)
    return redirect("themes_choose")


@require_POST
def rollback_theme(request: HttpRequest) -> HttpResponse:
    tenant = _tenant_admin(request)
    if tenant.previous_theme_id:
        tenant.theme, tenant.previous_theme = tenant.previous_theme, tenant.theme
        tenant.save(update_fields=["theme", "previous_theme", "updated_at"])
        messages.success(request, f"Back to {tenant.theme}.")
    return redirect("themes_choose")


def manage_themes(request: HttpRequest) -> HttpResponse:
    """Super admins: installed themes, who uses them, zip upload, uninstall."""
    if not request.user.is_superuser:
        raise PermissionDenied
    form = ThemeUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            theme = install_zip(form.cleaned_data["zip_file"].read(), user=request.user)
        except ThemeZipError as error:
            problems, status = error.problems, 400
        else:
            messages.success(request, f"Installed {theme}.")
            return redirect("themes_manage")
    rows = [(theme, tenants_using(theme)) for theme in Theme.objects.all()]
    context = {
        "rows": rows,
        "form": form,
        "problems": problems,
        "all_tenants": Tenant.objects.order_by("name"),
        "preview_minutes": preview.max_age() // 60,
    }
    return TemplateResponse(request, "themes/admin/manage.html", context, status=status)


@require_POST
def preview_theme_link(request: HttpRequest, theme_id: int) -> HttpResponse:
    """Super admins: open a tenant's storefront in any theme, for this browser only."""
    if not request.user.is_superuser:
        raise PermissionDenied
    theme = get_object_or_404(Theme, pk=theme_id)
    tenant = Tenant.objects.filter(pk=request.POST.get("tenant") or 0).first()
    if tenant is None:
        messages.error(request, "Choose the dispensary whose storefront you want to preview.")
        return redirect("themes_manage")
    token = preview.make_token(tenant, theme, request.user)
    record_audit(
        "theme.preview_opened",
        actor=request.user,
        target=theme,
        data={"theme": f"{theme.slug} {theme.version}"},
        request=request,
        tenant=tenant,
    )
    return redirect(preview.storefront_preview_url(tenant, token))


@require_POST
def uninstall_theme(request: HttpRequest, theme_id: int) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    theme = get_object_or_404(Theme, pk=theme_id)
    try:
        uninstall(theme)
    except ThemeInUse as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Uninstalled {theme}.")
    return redirect("themes_manage")
