"""Admin reports as tenant staff see them.

Wagtail's report views take no viewset, so :mod:`sites.admin_guard` serves these
subclasses to tenant staff at the same URLs. Reports that only make sense across the
whole platform (workflows, page types usage) are not offered to tenant staff at all.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet, LockedPagesView
from wagtail.models import Page

import django_filters

from sites.admin_scoping import scope_pages


def page_lockers(request: HttpRequest) -> QuerySet:
    locked = scope_pages(Page.objects.filter(locked=True).order_by(), request.user)
    return get_user_model().objects.filter(pk__in=locked.values("locked_by_id")).order_by("email")


class TenantLockedPagesFilterSet(LockedPagesReportFilterSet):
    locked_by = django_filters.ModelChoiceFilter(
        label=_("Locked by"), empty_label=_("Anyone"), field_name="locked_by", queryset=page_lockers
    )


class TenantLockedPagesView(LockedPagesView):
    filterset_class = TenantLockedPagesFilterSet

    def get_queryset(self) -> QuerySet:
        return scope_pages(super().get_queryset(), self.request.user)


class TenantSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    def get_users_queryset(self) -> QuerySet:
        # Wagtail offers everyone who ever logged a page action; these are the people
        # behind the entries the user may see.
        return get_users_for_filter(self.request.user)


class TenantSiteHistoryView(LogEntriesView):
    filterset_class = TenantSiteHistoryFilterSet


locked_pages = TenantLockedPagesView.as_view()
locked_pages_results = TenantLockedPagesView.as_view(results_only=True)
site_history = TenantSiteHistoryView.as_view()
site_history_results = TenantSiteHistoryView.as_view(results_only=True)
