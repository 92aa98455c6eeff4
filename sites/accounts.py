"""Patient accounts: signup with email confirmation, password reset; all per tenant."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from billing.limits import check_limit
from integrations.events import emit_event
from sites.models import Role, Tenant, User


def make_token(user: User) -> str:
    """One URL segment: ``<uid>.<token>`` (uid is base64url, so it has no dot)."""
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{default_token_generator.make_token(user)}"


def user_for_token(tenant: Tenant, token: str) -> User | None:
    """The tenant's user a token was made for, if the token is still good."""
    uid, _, secret = token.partition(".")
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, tenant=tenant).first()
    if user is None or not default_token_generator.check_token(user, secret):
        return None
    return user


def tenant_sender(tenant: Tenant) -> tuple[str, list[str]]:
    """From and Reply-To for mail sent on a tenant's behalf: its name, its support address."""
    from sites.models import Branding

    _, address = parseaddr(settings.EMAIL_FROM)
    branding = Branding.objects.filter(tenant=tenant).first()
    reply_to = [branding.support_email] if branding and branding.support_email else []
    return formataddr((tenant.name, address)), reply_to


def _send(request: HttpRequest, user: User, template: str, context: dict) -> None:
    from integrations.email import send_tenant_email

    send_tenant_email(request.tenant, template, user.email, {"user": user, **context})


def send_welcome(request: HttpRequest, user: User) -> None:
    """Greet a patient whose account is confirmed and point them to the consultation."""
    _send(
        request,
        user,
        "welcome",
        {
            # A Wagtail page under the tenant's root: the script prefix keeps /store/<slug>/.
            "consultation_url": request.build_absolute_uri(get_script_prefix() + "consultation/"),
            "account_url": request.build_absolute_uri(reverse("storefront:account")),
        },
    )


def awaits_confirmation(user: User) -> bool:
    """A patient account made by sign-up or the consultation whose emailed link is unused.

    Only such an account may be activated by a link: one that has signed in before and is
    inactive was deactivated (by staff), and no email may undo that.
    """
    return not user.is_active and user.last_login is None and user.role == Role.PATIENT


def create_inactive_patient(
    tenant: Tenant, *, email: str, password: str, first_name: str, last_name: str
) -> User:
    """A patient account that cannot sign in until its address is confirmed, with its profile.

    Announces ``patient.registered`` in the caller's transaction (a registration that
    rolls back announces nothing). Raises IntegrityError when the address was taken
    meanwhile (a concurrent registration won the race).
    """
    from kyc.models import PatientProfile

    with transaction.atomic():
        user = User.objects.create_user(
            email,
            password,
            role=Role.PATIENT,
            tenant=tenant,
            first_name=first_name,
            last_name=last_name,
            is_active=False,
        )
        PatientProfile.objects.create(user=user, tenant=tenant)
        emit_event(
            tenant,
            "patient.registered",
            {
                "patient": {
                    "id": user.pk,
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "registered_at": user.date_joined,
                }
            },
        )
    return user


def register_patient(request: HttpRequest, data: dict) -> None:
    """Create an inactive patient and email a confirmation link.

    When the email already has an account here, that account's owner is told instead;
    the person signing up sees the same answer either way, so nothing is revealed.
    Raises :class:`sites.limits.PlanLimitReached` when the plan has no room for a patient.
    """
    tenant = request.tenant
    # Before looking the email up: a full dispensary answers the same for every address.
    check_limit(tenant, "patients")
    existing = User.objects.filter(tenant=tenant, email=data["email"]).first()
    if existing is not None:
        # Creating an account hashes the password; so does this answer, or the time it
        # takes would tell a taken address from a free one.
        User().set_password(data["password1"])
        if awaits_confirmation(existing):
            # Never confirmed: its owner gets the link again rather than "log in".
            _send_signup_confirmation(request, existing)
            return
        _send(
            request,
            existing,
            "signup_existing",
            {"login_url": request.build_absolute_uri(reverse("storefront:login"))},
        )
        return
    try:
        user = create_inactive_patient(
            tenant,
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
    except IntegrityError:
        return  # a concurrent signup with the same email won the race
    _send_signup_confirmation(request, user)


def _send_signup_confirmation(request: HttpRequest, user: User) -> None:
    link = request.build_absolute_uri(reverse("storefront:confirm", args=[make_token(user)]))
    _send(request, user, "signup_confirm", {"link": link})


def send_password_reset(request: HttpRequest, email: str) -> None:
    user = User.objects.filter(tenant=request.tenant, email=email, is_active=True).first()
    if user is None:
        # Render the message all the same (and drop it): the answer takes as long as the
        # one for a real account, so timing does not reveal who has one.
        from integrations.email import render_tenant_email

        render_tenant_email(
            request.tenant, "password_reset", [email], {"user": User(email=email), "link": ""}
        )
        return
    link = request.build_absolute_uri(reverse("storefront:reset_password", args=[make_token(user)]))
    _send(request, user, "password_reset", {"link": link})
