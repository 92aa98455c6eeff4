"""The tenant admin's dashboard panel: what patients searched for, and found nothing for."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from search.querylog import top_queries
from sites.context import tenant_scope
from sites.models import Role


class SearchQueriesPanel(Component):
    name = "search_queries"
    template_name = "search/dashboard_panel.html"
    order = 120

    def __init__(self, tenant):
        self.tenant = tenant

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        with tenant_scope(self.tenant):
            context.update(
                top=top_queries(self.tenant),
                zero=top_queries(self.tenant, zero_results=True),
                days=30,
            )
        return context


@hooks.register("construct_homepage_panels")
def add_search_queries_panel(request, panels) -> None:
    user = request.user
    tenant = getattr(user, "tenant", None)
    # Tenant admins only: search terms are business information, not editorial content.
    if tenant is not None and getattr(user, "role", None) == Role.TENANT_ADMIN:
        panels.append(SearchQueriesPanel(tenant))
