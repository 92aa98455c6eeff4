"""The public application form at /onboarding/ (platform host only) and its slug check."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onboarding.forms import ApplicationForm
from onboarding.services import ApplicationError, slug_problem, submit_application
from pages.contact import client_address, spam_error
from sites.resolution import TenantNotFound, request_hostname, resolve_from_host

RATE_WINDOW_SECONDS = 60 * 60
SLUG_CHECKS_PER_MINUTE = 60


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _platform_only(request: HttpRequest) -> None:
    # Applications are made on the platform, not on a dispensary's subdomain or own domain
    # (/onboarding/ is a platform route, so the middleware does not resolve those here).
    try:
        found = resolve_from_host(request_hostname(request))
    except TenantNotFound:
        raise Http404 from None
    if getattr(request, "tenant", None) is not None or (found and found.tenant is not None):
        raise Http404


@never_cache
def apply(request: HttpRequest) -> HttpResponse:
    _platform_only(request)
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        valid = form.is_valid()
        if problem := spam_error(form):
            form.add_error(None, problem)
        elif _count(f"onboarding-rate:{client_address(request)}", RATE_WINDOW_SECONDS) > (
            settings.ONBOARDING_RATE_LIMIT
        ):
            form.add_error(None, "Too many applications from your network lately. Please try again later.")
        elif valid:
            try:
                submit_application(form.application_fields(), request)
            except ApplicationError as error:
                form.add_error("slug", str(error))
            else:
                return redirect("onboarding:done")
        status = 400
    else:
        form = ApplicationForm()
        status = 200
    return render(request, "onboarding/apply.html", {"form": form}, status=status)


def done(request: HttpRequest) -> HttpResponse:
    _platform_only(request)
    return render(request, "onboarding/done.html")


@require_GET
def slug_check(request: HttpRequest) -> JsonResponse:
    """``{"slug", "available", "message"}`` for the form's live check; the POST re-checks."""
    _platform_only(request)
    if _count(f"onboarding-slug-check:{client_address(request)}", 60) > SLUG_CHECKS_PER_MINUTE:
        return JsonResponse({"available": False, "message": "Too many checks; wait a minute."}, status=429)
    slug = request.GET.get("slug", "")[:100].strip().lower()
    problem = slug_problem(slug)
    host = f"{slug}.{settings.BUDSTACK_DOMAIN}"
    return JsonResponse(
        {
            "slug": slug,
            "available": problem is None,
            "message": problem or f"{host} is available.",
        }
    )
