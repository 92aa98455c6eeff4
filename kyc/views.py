"""The consultation flow behind ConsultationPage's routes: validate and orchestrate only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.urls import reverse
from django.utils.http import urlencode

from billing.limits import check_limit, patients_full_message
from sites.limits import PlanLimitReached
from sites.models import Role, User

from . import forms as steps
from .models import ConsultationDraft, PatientProfile
from .services import latest_submission, register_with_supplier, send_received_email, submit_consultation


def _step_url(page, request: HttpRequest, step: int) -> str:
    return page.get_url(request) + page.reverse_subpage("step", args=[step])


def _success_url(page, request: HttpRequest) -> str:
    return page.get_url(request) + page.reverse_subpage("success")


def _draft_for(user) -> ConsultationDraft | None:
    if not user.is_authenticated:
        return None
    draft = ConsultationDraft.objects.filter(user=user).first()
    if draft is None:
        previous = latest_submission(user)
        if previous is not None:
            # A resubmission starts from the last version's answers, consents cleared.
            draft = ConsultationDraft(user=user, tenant=user.tenant, current_step=5)
            draft.answers = {k: v for k, v in previous.answers.items() if k != "step5"}
            draft.save()
    return draft


def _progress(page, current: int, reachable: int) -> list[dict[str, Any]]:
    return [
        {"number": n, "title": page.step_title(n), "current": n == current, "reachable": n <= reachable}
        for n in steps.STEPS
    ]


def consultation_index(request: HttpRequest, page) -> HttpResponse:
    draft = _draft_for(request.user)
    step = draft.current_step if draft else 1
    profile = (
        PatientProfile.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    )
    return page.render(
        request,
        context_overrides={
            "start_url": _step_url(page, request, step),
            "draft": draft,
            "profile": profile,
            "submitted": profile is not None and profile.submitted_at is not None,
            "success_url": _success_url(page, request),
        },
    )


def consultation_step(request: HttpRequest, page, step: int) -> HttpResponse:
    if step not in steps.STEP_FORMS:
        raise Http404("No such step")
    user = request.user
    if not user.is_authenticated and step != 1:
        return redirect_to_login(request.get_full_path(), login_url="storefront:login")
    if user.is_authenticated and user.role != Role.PATIENT:
        messages.info(request, "The consultation is for patients; staff accounts cannot submit one.")
        return HttpResponseRedirect(page.get_url(request))
    draft = _draft_for(user)
    reachable = draft.current_step if draft else 1
    if step > reachable:
        # Steps are taken in order: a later step cannot be opened (or posted) early.
        messages.info(request, "Please complete this step first.")
        return HttpResponseRedirect(_step_url(page, request, reachable))

    stored = (draft.answers if draft else {}).get(f"step{step}") or {}
    form_class = steps.STEP_FORMS[step]
    kwargs = {"tenant": request.tenant, "page": page, "user": user}
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            if step == 1 and not user.is_authenticated:
                user = _create_account(request, form)
                if user is None and not form.non_field_errors():
                    # The address has an account here. The visitor gets the very answer a
                    # new patient gets (same redirect, same cookies); the owner is told by
                    # email. Nothing is stored: the owner's draft stays untouched. (A
                    # non-field error is the plan's patient limit: that one is shown.)
                    _tell_the_owner(request, page, form.cleaned_data["email"], form.cleaned_data["password"])
                    return HttpResponseRedirect(_step_url(page, request, step + 1))
            if user is not None and user.is_authenticated:
                draft = (
                    draft
                    or ConsultationDraft.objects.filter(user=user).first()
                    or ConsultationDraft(user=user, tenant=request.tenant)
                )
                answers = draft.answers
                answers[f"step{step}"] = form.answers()
                draft.answers = answers
                draft.current_step = max(draft.current_step, min(step + 1, len(steps.STEPS)))
                draft.save()
                if step < len(steps.STEPS):
                    return HttpResponseRedirect(_step_url(page, request, step + 1))
                return _submit(request, page, draft)
        status = 400
    else:
        form = form_class(initial=stored, **kwargs)
    answers = draft.answers if draft else {}
    return _render_step(request, page, form, step, reachable, answers, status)


def _render_step(request, page, form, step, reachable, answers, status) -> HttpResponse:
    knocked_out = form.is_bound and any(
        error.code == "knockout" for error in form.non_field_errors().as_data()
    )
    response = page.render(
        request,
        template="kyc/consultation_step.html",
        context_overrides={
            "form": form,
            "step": step,
            "step_count": len(steps.STEPS),
            "step_title": page.step_title(step),
            "step_help": page.step_help(step),
            "progress": _progress(page, step, reachable),
            "back_url": _step_url(page, request, step - 1) if step > 1 else None,
            "review": _review(answers, request.tenant, page) if step == len(steps.STEPS) else None,
            "knocked_out": knocked_out,
        },
    )
    response.status_code = status
    return response


def _create_account(request: HttpRequest, form) -> User | None:
    data = form.cleaned_data
    if User.objects.filter(tenant=request.tenant, email__iexact=data["email"]).exists():
        return None
    try:
        check_limit(request.tenant, "patients")
    except PlanLimitReached as refusal:
        form.add_error(None, patients_full_message(request.tenant, refusal))
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                data["email"],
                data["password"],
                role=Role.PATIENT,
                tenant=request.tenant,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            PatientProfile.objects.create(user=user, tenant=request.tenant)
    except (IntegrityError, ValidationError):
        return None  # a concurrent start with the same address won the race
    login(request, user, backend="sites.auth_backends.TenantEmailBackend")
    return user


def _tell_the_owner(request: HttpRequest, page, email: str, password: str) -> None:
    """Answer like :func:`_create_account` would, without an account, and email the owner.

    The costs match too: one password hash (what creating the account spends) and a
    session plus a fresh CSRF cookie (what signing in issues), so neither the timing nor
    the response headers tell an existing address from a new one.
    """
    from integrations.email import send_tenant_email

    User().set_password(password)
    request.session.cycle_key()
    request.session["consultation_started"] = True
    rotate_token(request)
    owner = User.objects.filter(tenant=request.tenant, email__iexact=email).first()
    if owner is None:  # lost a race with a deletion: nobody to tell
        return
    login_url = request.build_absolute_uri(reverse("storefront:login"))
    next_url = page.get_url(request)
    send_tenant_email(
        request.tenant,
        "consultation_existing",
        owner.email,
        {"user": owner, "login_url": f"{login_url}?{urlencode({'next': next_url})}"},
    )


def _submit(request: HttpRequest, page, draft: ConsultationDraft) -> HttpResponse:
    try:
        submit_consultation(
            request.user, tenant=request.tenant, page=page, answers=draft.answers, request=request
        )
    except steps.ConsultationInvalid as invalid:
        ConsultationDraft.objects.filter(pk=draft.pk).update(current_step=invalid.step)
        messages.error(request, "Some answers need your attention before you can submit.")
        return HttpResponseRedirect(_step_url(page, request, invalid.step))
    profile = PatientProfile.objects.select_related("user", "tenant").get(user=request.user)
    outcome = register_with_supplier(profile)
    send_received_email(profile, outcome)
    return HttpResponseRedirect(_success_url(page, request))


def _review(answers: dict[str, Any], tenant, page) -> list[dict[str, Any]]:
    """The answers of steps 1-4 as (question, answer) rows for the review step."""
    sections = []
    for step in steps.STEPS[:-1]:
        stored = answers.get(f"step{step}") or {}
        form = steps.STEP_FORMS[step](tenant=tenant, page=page, user=None)
        rows = []
        for name, field in form.fields.items():
            if name in ("email", "password") or name not in stored:
                continue
            rows.append(
                {
                    "label": field.label or name.replace("_", " ").capitalize(),
                    "value": _display(field, stored[name]),
                }
            )
        sections.append({"step": step, "title": page.step_title(step), "rows": rows})
    return sections


def _display(field, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value) or "—"
    return str(choices.get(value, value)) if value not in ("", None) else "—"


def consultation_success(request: HttpRequest, page) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url="storefront:login")
    profile = PatientProfile.objects.filter(user=request.user).first()
    return page.render(
        request,
        template="kyc/consultation_success.html",
        context_overrides={"profile": profile, "submission": latest_submission(request.user)},
    )
