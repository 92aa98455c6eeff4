"""The consultation flow behind ConsultationPage's routes: validate and orchestrate only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from billing.limits import check_limit, patients_full_message
from sites import accounts
from sites.limits import PlanLimitReached
from sites.models import Role, User

from . import forms as steps
from .models import ConsultationDraft, PatientProfile
from .services import latest_submission, register_with_supplier, send_received_email, submit_consultation


def _step_url(page, request: HttpRequest, step: int) -> str:
    return page.get_url(request) + page.reverse_subpage("step", args=[step])


def _sent_url(page, request: HttpRequest) -> str:
    return page.get_url(request) + page.reverse_subpage("sent")


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
            # A visitor is never signed in by step 1, whoever the address belongs to:
            # the emailed link does that (see _start_for_visitor). False: the plan is full.
            if not user.is_authenticated and _start_for_visitor(request, page, form):
                return HttpResponseRedirect(_sent_url(page, request))
            if user.is_authenticated:
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


def _start_for_visitor(request: HttpRequest, page, form) -> bool:
    """Step 1 for a visitor: whatever the address, the same answer and nobody signed in.

    A new address gets an inactive account holding the step-1 answers and an emailed
    link that confirms it (:func:`consultation_confirm`). An address with an account here
    gets nothing stored against it; its owner is emailed instead. Both spend one password
    hash and are answered with the same redirect, and neither leaves the visitor signed
    in, so no answer, timing or later request tells a taken address from a free one.
    False when the plan has no room for another patient (the form then says so).
    """
    data = form.cleaned_data
    tenant = request.tenant
    try:
        # Before the address is looked up: a full dispensary answers every address alike.
        check_limit(tenant, "patients")
    except PlanLimitReached as refusal:
        form.add_error(None, patients_full_message(tenant, refusal))
        return False
    owner = User.objects.filter(tenant=tenant, email__iexact=data["email"]).first()
    if owner is not None:
        User().set_password(data["password"])  # what creating the account spends
        _tell_the_owner(request, page, owner)
        return True
    try:
        with transaction.atomic():
            user = accounts.create_inactive_patient(
                tenant,
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            draft = ConsultationDraft(user=user, tenant=tenant, current_step=2)
            draft.answers = {"step1": form.answers()}
            draft.save()
    except (IntegrityError, ValidationError):
        return True  # a concurrent start with the same address won; its owner has the link
    _send_confirmation(request, page, user)
    return True


def _send_confirmation(request: HttpRequest, page, user: User) -> None:
    from integrations.email import send_tenant_email

    uid, _, secret = accounts.make_token(user).partition(".")
    path = page.get_url(request) + page.reverse_subpage("confirm", args=[uid, secret])
    send_tenant_email(
        request.tenant,
        "consultation_confirm",
        user.email,
        {"user": user, "link": request.build_absolute_uri(path)},
    )


def _tell_the_owner(request: HttpRequest, page, owner: User) -> None:
    """Email the owner of an address someone started a consultation with.

    An account still waiting for its confirmation gets its link again (its own draft, if
    any, untouched); any other is pointed to logging in.
    """
    from integrations.email import send_tenant_email

    if accounts.awaits_confirmation(owner):
        _send_confirmation(request, page, owner)
        return
    login_url = request.build_absolute_uri(reverse("storefront:login"))
    next_url = page.get_url(request)
    send_tenant_email(
        request.tenant,
        "consultation_existing",
        owner.email,
        {"user": owner, "login_url": f"{login_url}?{urlencode({'next': next_url})}"},
    )


def consultation_sent(request: HttpRequest, page) -> HttpResponse:
    """Where step 1 sends every visitor, whoever the address belongs to: check your inbox."""
    return page.render(request, template="kyc/consultation_sent.html")


def consultation_confirm(request: HttpRequest, page, token: str) -> HttpResponse:
    """The emailed link: activate the account, sign it in and continue where step 1 ended."""
    user = accounts.user_for_token(request.tenant, token)
    # The conditional update makes the link single-use even when it is opened twice at once.
    if (
        user is None
        or not accounts.awaits_confirmation(user)
        or not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    ):
        response = page.render(request, template="sites/auth/link_invalid.html")
        response.status_code = 400
        return response
    user = User.objects.get(pk=user.pk)  # as activated (an unsaved flag would bump its session epoch)
    login(request, user, backend="sites.auth_backends.TenantEmailBackend")
    messages.success(request, "Your email address is confirmed. Please continue your consultation.")
    draft = ConsultationDraft.objects.filter(user=user).first()
    return HttpResponseRedirect(_step_url(page, request, draft.current_step if draft else 1))


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
