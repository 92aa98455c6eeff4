"""The door policy of the admin: a URL that names another tenant's object is a 404.

Listings are scoped where they are built (hooks, viewsets, permission policies). Every
admin view that takes an object id is also checked here, once, before it runs, so a
view that forgets to check (or checks only a Wagtail permission, or shows the object's
title in its "permission denied" message) never reaches another tenant's object. The
answer is a 404 rather than a 403 so that it does not confirm the object exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import ResolverMatch, reverse
from django.utils.module_loading import import_string

from wagtail.admin.auth import require_admin_access
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from sites.admin_scoping import is_unrestricted, outside_scope, staff_tenant

# Where budstack.urls mounts the Wagtail admin.
ADMIN_ROUTE_PREFIX = "admin/"
# URL keyword arguments that always name a page, an image, a document or a collection.
PAGE_KWARGS = frozenset({"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"})
IMAGE_KWARGS = frozenset({"image_id"})
DOCUMENT_KWARGS = frozenset({"document_id", "doc_id"})
COLLECTION_KWARGS = frozenset({"collection_id"})

# Areas that describe the platform rather than one tenant's content: sites, groups
# (which grant rights on any tenant's pages and collections), workflow definitions,
# redirects of every site and the collection tree.
SUPER_ADMIN_NAMESPACES = frozenset(
    {
        "wagtailsites",
        "wagtailusers_groups",
        "wagtailadmin_workflows",
        "wagtailredirects",
        "wagtailadmin_collections",
        "onboarding_applications",
        "tenants",
        "plans",  # billing.Plan: the platform's offers
    }
)
# Reports whose filters or counts span every tenant (workflow and task names, all
# sites, page counts and latest titles per type across the platform).
SUPER_ADMIN_VIEWS = frozenset(
    {
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_results",
        "wagtailadmin_reports:workflow_tasks",
        "wagtailadmin_reports:workflow_tasks_results",
        "wagtailadmin_reports:page_types_usage",
        "wagtailadmin_reports:page_types_usage_results",
    }
)
# Wagtail views without an extension point that offer every tenant's sites, staff or
# tags: tenant staff are served a scoped version at the same URL.
SCOPED_VIEWS = {
    "wagtailforms:index": "sites.admin_pages.form_pages",
    "wagtailforms:index_results": "sites.admin_pages.form_pages_results",
    "wagtailadmin_reports:locked_pages": "sites.admin_reports.locked_pages",
    "wagtailadmin_reports:locked_pages_results": "sites.admin_reports.locked_pages_results",
    "wagtailadmin_reports:site_history": "sites.admin_reports.site_history",
    "wagtailadmin_reports:site_history_results": "sites.admin_reports.site_history_results",
    "wagtailadmin_tag_autocomplete": "sites.admin_media.tag_autocomplete",
    "wagtailadmin_tag_model_autocomplete": "sites.admin_media.tag_autocomplete",
    "wagtailimages:index": "sites.admin_media.images_index",
    "wagtailimages:index_results": "sites.admin_media.images_index_results",
    "wagtaildocs:index": "sites.admin_media.documents_index",
    "wagtaildocs:index_results": "sites.admin_media.documents_index_results",
    "wagtailimages_chooser:choose": "sites.admin_media.image_chooser",
}
EXPLORER_VIEWS = frozenset({"wagtailadmin_explore", "wagtailadmin_explore_results"})
# Views whose form posts a destination page: an invalid choice would be shown back
# with the page's title.
DESTINATION_VIEWS = frozenset({"wagtailadmin_pages:copy", "wagtailadmin_pages:move"})
# Views whose ``?id=`` parameters name the objects they return.
CHOSEN_MULTIPLE_VIEWS = {
    "wagtailadmin_choose_page_chosen_multiple": lambda: Page,
    "wagtailimages_chooser:chosen_multiple": get_image_model,
    "wagtaildocs_chooser:chosen_multiple": get_document_model,
}


def _pk_model(namespace: str):
    """The model a bare ``pk`` URL argument names in ``namespace``, if it needs a check."""
    return {
        "wagtailadmin_pages": lambda: Page,
        "wagtailadmin_api:pages": lambda: Page,
        "wagtailadmin_api:images": get_image_model,
        "wagtailadmin_api:documents": get_document_model,
        "wagtailimages_chooser": get_image_model,
        "wagtaildocs_chooser": get_document_model,
        "wagtailusers_users": get_user_model,
        "wagtailadmin_collections": lambda: Collection,
    }.get(namespace, lambda: None)()


def _deny_if_outside(model, user, ids) -> None:
    if model is not None and outside_scope(model._default_manager.all(), user, ids):
        raise Http404("Not found")


def guard_admin_view(request: HttpRequest, match: ResolverMatch) -> HttpResponse | None:
    """Refuse (404) an admin view addressing another tenant's object; None lets it run."""
    user = getattr(request, "user", None)
    if not match.route.startswith(ADMIN_ROUTE_PREFIX):
        return None
    if user is None or not user.is_authenticated or is_unrestricted(user):
        return None
    if staff_tenant(user) is None:
        raise Http404("Not found")
    if match.namespace in SUPER_ADMIN_NAMESPACES or match.view_name in SUPER_ADMIN_VIEWS:
        raise Http404("Not found")

    kwargs = match.kwargs
    if match.view_name in EXPLORER_VIEWS and outside_scope(
        Page.objects.all(), user, [kwargs["parent_page_id"]]
    ):
        # As Wagtail does for pages outside the explorable tree: back to the user's own.
        return HttpResponseRedirect(
            reverse("wagtailadmin_explore", args=[staff_tenant(user).site.root_page_id])
        )
    for name, value in kwargs.items():
        if name in PAGE_KWARGS:
            _deny_if_outside(Page, user, [value])
        elif name in IMAGE_KWARGS:
            _deny_if_outside(get_image_model(), user, [value])
        elif name in DOCUMENT_KWARGS:
            _deny_if_outside(get_document_model(), user, [value])
        elif name in COLLECTION_KWARGS:
            _deny_if_outside(Collection, user, [value])
    if "pk" in kwargs:
        _deny_if_outside(_pk_model(match.namespace), user, [kwargs["pk"]])

    if match.view_name in DESTINATION_VIEWS and request.method == "POST":
        _deny_if_outside(Page, user, [request.POST.get("new_parent_page", "")])
    if match.view_name in CHOSEN_MULTIPLE_VIEWS:
        _deny_if_outside(CHOSEN_MULTIPLE_VIEWS[match.view_name](), user, request.GET.getlist("id"))
    elif match.view_name == "wagtail_bulk_action":
        _guard_bulk_action(request, user, kwargs["app_label"], kwargs["model_name"])
    elif match.view_name == "wagtailadmin_editing_sessions:ping":
        _deny_if_outside(
            _model_or_none(kwargs["app_label"], kwargs["model_name"]), user, [kwargs["object_id"]]
        )
    elif match.namespace == "wagtailsettings":
        _guard_setting(user, kwargs)
    elif match.view_name == "wagtailadmin_choose_page":
        return _browse_from_tenant_home(request, user)
    elif match.view_name in SCOPED_VIEWS:
        return _scoped_view(match.view_name)(request, *match.args, **match.kwargs)
    return None


@cache
def _scoped_view(view_name: str) -> Callable[..., HttpResponse]:
    return require_admin_access(import_string(SCOPED_VIEWS[view_name]))


def _model_or_none(app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    return model if _has_scope(model) else None


def _has_scope(model) -> bool:
    return issubclass(model, (Page, Collection, get_user_model())) or any(
        field.name in ("collection", "tenant") for field in model._meta.fields
    )


def _guard_bulk_action(request: HttpRequest, user, app_label: str, model_name: str) -> None:
    model = _model_or_none(app_label, model_name)
    if model is None:
        return
    if issubclass(model, get_user_model()):
        # The stock user bulk actions assign any group and list every account.
        raise Http404("Not found")
    ids = request.GET.getlist("id")
    _deny_if_outside(model, user, ids)
    if "all" in ids:
        parent = request.GET.get("childOf")
        if issubclass(model, Page):
            # Without a parent, "all" means every page of the platform.
            if not parent:
                raise Http404("Not found")
            _deny_if_outside(Page, user, [parent])
        elif parent:
            _deny_if_outside(Collection, user, [parent])


def _guard_setting(user, kwargs) -> None:
    try:
        model = apps.get_model(kwargs["app_name"], kwargs["model_name"])
    except LookupError:
        return
    if not issubclass(model, BaseSiteSetting):
        # Generic settings are the platform's, not a tenant's.
        raise Http404("Not found")
    if "pk" in kwargs and int(kwargs["pk"]) != staff_tenant(user).site_id:
        raise Http404("Not found")


def _browse_from_tenant_home(request: HttpRequest, user) -> HttpResponse:
    # The chooser otherwise opens at the tree root, or at the closest common ancestor of
    # the requested page types, which may be another tenant's page.
    url = reverse("wagtailadmin_choose_page_child", args=[staff_tenant(user).site.root_page_id])
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
