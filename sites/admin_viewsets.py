"""Branding in the admin: each tenant admin edits their storefront's single row."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.images import get_image_model

from sites.admin_media import ScopedImageChooser
from sites.admin_scoping import is_unrestricted
from sites.models import Branding


class BrandingForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The logo must be one of the storefront's own images, whoever edits it.
        collection_path = self.instance.tenant.collection.path
        images = get_image_model().objects.filter(collection__path__startswith=collection_path)
        self.fields["logo"].queryset = images
        self.fields["logo"].widget = ScopedImageChooser(queryset=images)


class BrandingIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Branding]:
        # The scoped default manager: one row for tenant staff, all for super admins.
        return Branding.objects.select_related("tenant")

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_unrestricted(request.user):
            return super().get(request, *args, **kwargs)
        # Tenant admins have exactly one row: take them straight to it.
        branding = self.get_base_queryset().first()
        if branding is None:
            return super().get(request, *args, **kwargs)
        return redirect(self.edit_url_name, branding.pk)


class BrandingViewSet(ModelViewSet):
    model = Branding
    icon = "image"
    menu_label = "Branding"
    menu_name = "branding"
    menu_order = 100
    add_to_settings_menu = True
    index_view_class = BrandingIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["tenant", "tagline", "support_email"]
    edit_handler = ObjectList(
        [
            FieldPanel("tagline"),
            FieldRowPanel([FieldPanel("primary_colour"), FieldPanel("accent_colour")]),
            FieldPanel("logo"),
            FieldPanel("support_email"),
        ],
        base_form_class=BrandingForm,
    )

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Rights on branding come from roles (sites.admin_permissions), not groups.
        return Permission.objects.none()
