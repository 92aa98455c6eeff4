"""Pages in the admin (explorer, per-type listing, form pages, editing) for a tenant.

Wagtail already limits which pages tenant staff can list, through their page
permissions. Its listing *filters*, though, offer choices drawn from the whole platform:
every site, every page owner, everyone who edited a page. Those choices are the names of
other dispensaries and their staff, so the filtersets here draw them from the tenant's
own tree. Page forms also accept any page, image or document id in their content (the
choosers are scoped, a forged POST is not), so the edit, create and preview views
refuse content that refers to another tenant's.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import MultipleUserFilter
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.listing import (
    EditedByFilter,
    GenericPageFilterSet,
    PageFilterSet,
    SiteFilter,
)
from wagtail.admin.views.pages.preview import PreviewOnCreateView, PreviewOnEditView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.contrib.forms.views import FormPageFilterSet, FormPagesListView
from wagtail.models import Page, PageLogEntry, Site

from sites.admin_scoping import foreign_references, is_unrestricted, scope_pages, staff_tenant


def page_owners(request: HttpRequest) -> QuerySet:
    pages = scope_pages(Page.objects.order_by(), request.user)
    return get_user_model().objects.filter(pk__in=pages.values("owner_id"))


def page_editors(request: HttpRequest) -> QuerySet:
    pages = scope_pages(Page.objects.order_by(), request.user)
    edits = PageLogEntry.objects.filter(action="wagtail.edit", page__in=pages).order_by()
    return get_user_model().objects.filter(pk__in=edits.values("user_id"))


def visible_sites(request: HttpRequest) -> QuerySet[Site]:
    if is_unrestricted(request.user):
        return Site.objects.all()
    return Site.objects.filter(tenant=staff_tenant(request.user))


class TenantFiltersMixin(PageFilterSet):
    owner = MultipleUserFilter(label=_("Owner"), queryset=page_owners, widget=CheckboxSelectMultiple)
    edited_by = EditedByFilter(label=_("Edited by"), queryset=page_editors, widget=CheckboxSelectMultiple)
    site = SiteFilter(label=_("Site"), queryset=visible_sites, widget=CheckboxSelectMultiple)


class TenantPageFilterSet(TenantFiltersMixin, GenericPageFilterSet):
    pass


class TenantFormPageFilterSet(TenantFiltersMixin, FormPageFilterSet):
    pass


def refuse_foreign_references(page: Page, user) -> None:
    if foreign_references(page, user):
        raise Http404("Not found")


class RefuseForeignReferencesMixin:
    """A page form posted with another tenant's page, image or document in its content
    (only a forged request can do that) is a 404, whether or not the form is valid: an
    invalid form would be shown back with the chosen items' titles."""

    def form_valid(self, form) -> HttpResponse:
        refuse_foreign_references(form.instance, self.request.user)
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        refuse_foreign_references(form.instance, self.request.user)
        return super().form_invalid(form)


class RefuseForeignReferencesInPreviewMixin:
    """A preview would render another tenant's image or page link for the forger."""

    def validate_form(self, form) -> bool:
        is_valid = super().validate_form(form)
        refuse_foreign_references(form.instance, self.request.user)
        return is_valid


class TenantEditView(RefuseForeignReferencesMixin, EditView):
    pass


class TenantCreateView(RefuseForeignReferencesMixin, CreateView):
    pass


class TenantPreviewOnEditView(RefuseForeignReferencesInPreviewMixin, PreviewOnEditView):
    pass


class TenantPreviewOnCreateView(RefuseForeignReferencesInPreviewMixin, PreviewOnCreateView):
    pass


class TenantPageViewSet(PageViewSet):
    """Replaces Wagtail's default viewset for every page type that has no viewset of its own."""

    filterset_class = TenantPageFilterSet
    edit_view_class = TenantEditView
    add_view_class = TenantCreateView
    preview_on_edit_view_class = TenantPreviewOnEditView
    preview_on_add_view_class = TenantPreviewOnCreateView


class TenantFormPagesListView(FormPagesListView):
    filterset_class = TenantFormPageFilterSet


form_pages = TenantFormPagesListView.as_view()
form_pages_results = TenantFormPagesListView.as_view(results_only=True)
