"""Time-based one-time passwords (TOTP) for the admin.

Required for super admins (``BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS``, on by default), and
available to every staff member: once a member has confirmed a device, the admin asks
for a code after each password sign-in. Devices are django-otp's TOTPDevice; the QR code
is drawn here (segno) so no third-party service ever sees the secret.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

import segno
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.audit_signals import _record_for

SETUP_URL_NAME = "budstack_2fa_setup"
VERIFY_URL_NAME = "budstack_2fa_verify"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def required_for(user) -> bool:
    return bool(user.is_superuser and settings.BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user) -> bool:
    if not (user.is_authenticated and user.is_staff) or user.is_verified():
        return False
    return required_for(user) or confirmed_device(user) is not None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _audit(request: HttpRequest, action: str) -> None:
    _record_for(request.user.tenant, action, actor=request.user, request=request)


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    # A second factor raises the session's privileges: give it a new key.
    request.session.cycle_key()
    return redirect(_next_url(request))


def setup(request: HttpRequest) -> HttpResponse:
    """Show a QR code for a new device and confirm it with a first code."""
    user = request.user
    if confirmed_device(user) is not None and not user.is_verified():
        return redirect(f"{reverse(VERIFY_URL_NAME)}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _audit(request, "auth.2fa_enabled")
            messages.success(request, "Two-factor authentication is on.")
            return _verified(request, device)
        form.add_error("token", "That code is not right. Check your phone's clock and try the current code.")
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "sites/admin/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "already_on": confirmed_device(user) is not None,
            "required": required_for(user),
            "next": _next_url(request),
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code after a password sign-in."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        return redirect(f"{reverse(SETUP_URL_NAME)}?{urlencode({'next': _next_url(request)})}")
    if user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            _audit(request, "auth.2fa_verified")
            return _verified(request, device)
        _audit(request, "auth.2fa_failed")
        form.add_error(
            "token", "That code is not right, or too many tries: wait a moment and use the current code."
        )
    return render(request, "sites/admin/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off (not allowed where it is required)."""
    if request.method != "POST":
        return redirect(SETUP_URL_NAME)
    if required_for(request.user):
        messages.error(request, "Super admins must keep two-factor authentication on.")
        return redirect(SETUP_URL_NAME)
    TOTPDevice.objects.filter(user=request.user).delete()
    _audit(request, "auth.2fa_disabled")
    messages.success(request, "Two-factor authentication is off.")
    return redirect("wagtailadmin_account")


# Reachable while the second factor is still missing: the pages that provide it, and the
# way out.
EXEMPT_URL_NAMES = {SETUP_URL_NAME, VERIFY_URL_NAME, "wagtailadmin_logout"}


class TwoFactorMiddleware:
    """Holds staff who need a second factor at the door of every admin page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not request.path.startswith("/admin/"):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES:
            return None
        user = request.user
        if not needs_second_factor(user):
            return None
        target = VERIFY_URL_NAME if confirmed_device(user) else SETUP_URL_NAME
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
