"""The KYC review queue in the Wagtail admin (/admin/kyc/), for tenant admins.

Profiles are read through the tenant-scoped manager inside the staff member's tenant
scope (and RLS beneath it), so another tenant's patient is simply not found: a 404.
Opening a patient's decrypted answers and every decision are written to the audit trail.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from sites.audit import record_audit
from sites.models import Role

from . import forms as steps
from .models import ConsultationSubmission, KycStatus, PatientProfile
from .status import apply_supplier_kyc, set_allowance
from .views import _display


def can_review(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.TENANT_ADMIN)


def _reviewer(request: HttpRequest) -> None:
    if not can_review(request.user):
        # Editors and marketers of the tenant are not told what is here either.
        raise Http404("Not found")


def _profile(pk: int) -> PatientProfile:
    profile = PatientProfile.objects.select_related("user", "tenant").filter(pk=pk).first()
    if profile is None:
        raise Http404("Not found")
    return profile


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to the patient."
    )


class AllowanceForm(forms.Form):
    monthly_allowance_grams = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("99999"),
        decimal_places=2,
        required=False,
        label="Monthly allowance (grams)",
    )


FILTERS = {
    "pending": Q(kyc_status=KycStatus.PENDING),
    "verified": Q(kyc_status=KycStatus.VERIFIED),
    "rejected": Q(kyc_status=KycStatus.REJECTED),
    "attention": Q(needs_attention=True),
}


def queue(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    current = request.GET.get("status", "pending")
    profiles = PatientProfile.objects.select_related("user", "tenant").exclude(submitted_at=None)
    if current in FILTERS:
        profiles = profiles.filter(FILTERS[current])
    query = request.GET.get("q", "").strip()
    if query:
        profiles = profiles.filter(
            Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
    return TemplateResponse(
        request,
        "kyc/admin/queue.html",
        {
            "profiles": profiles.order_by("-needs_attention", "submitted_at")[:200],
            "filters": [
                ("pending", "Pending"),
                ("attention", "Needs attention"),
                ("verified", "Verified"),
                ("rejected", "Rejected"),
                ("all", "All"),
            ],
            "current": current,
            "query": query,
        },
    )


def _sections(answers: dict) -> list[dict]:
    sections = []
    for step, form_class in steps.STEP_FORMS.items():
        form = form_class(tenant=None, page=None, user=None)
        stored = answers.get(f"step{step}") or {}
        rows = []
        for name, value in stored.items():
            field = form.fields.get(name)
            label = field.label if field and field.label else name.replace("_", " ").capitalize()
            rows.append({"label": label, "value": _display(field, value) if field else str(value)})
        sections.append({"step": step, "rows": rows})
    return sections


def detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    _reviewer(request)
    profile = _profile(profile_id)
    submissions = list(ConsultationSubmission.objects.filter(user=profile.user).order_by("-version"))
    version = request.GET.get("version")
    shown = next(
        (s for s in submissions if str(s.version) == version), submissions[0] if submissions else None
    )
    if shown is not None:
        record_audit(
            "kyc.answers_viewed",
            actor=request.user,
            target=shown,
            request=request,
            tenant=profile.tenant,
            data={"patient_id": profile.user_id, "version": shown.version},
        )
    return TemplateResponse(
        request,
        "kyc/admin/detail.html",
        {
            "profile": profile,
            "submissions": submissions,
            "shown": shown,
            "sections": _sections(shown.answers) if shown else [],
            "reject_form": RejectForm(),
            "allowance_form": AllowanceForm(
                initial={"monthly_allowance_grams": profile.monthly_allowance_grams}
            ),
        },
    )


@require_POST
def approve(request: HttpRequest, profile_id: int) -> HttpResponse:
    _reviewer(request)
    profile = _profile(profile_id)
    if profile.submitted_at is None:
        raise PermissionDenied("No consultation to approve")
    apply_supplier_kyc(
        profile,
        is_kyc_verified=True,
        admin_approval="VERIFIED",
        actor=request.user,
        source="staff",
        request=request,
    )
    messages.success(request, f"{profile.user.email} is verified.")
    return redirect("kyc_admin:detail", profile_id=profile.pk)


@require_POST
def reject(request: HttpRequest, profile_id: int) -> HttpResponse:
    _reviewer(request)
    profile = _profile(profile_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the patient a reason for the rejection.")
        return redirect("kyc_admin:detail", profile_id=profile.pk)
    apply_supplier_kyc(
        profile,
        is_kyc_verified=profile.kyc_verified,
        admin_approval="REJECTED",
        reason=form.cleaned_data["reason"],
        actor=request.user,
        source="staff",
        request=request,
    )
    messages.success(request, f"{profile.user.email} is rejected.")
    return redirect("kyc_admin:detail", profile_id=profile.pk)


@require_POST
def allowance(request: HttpRequest, profile_id: int) -> HttpResponse:
    _reviewer(request)
    profile = _profile(profile_id)
    form = AllowanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The allowance must be a number of grams between 0 and 99999.")
        return redirect("kyc_admin:detail", profile_id=profile.pk)
    set_allowance(profile, form.cleaned_data["monthly_allowance_grams"], actor=request.user, request=request)
    messages.success(request, "The monthly allowance is saved.")
    return redirect("kyc_admin:detail", profile_id=profile.pk)
