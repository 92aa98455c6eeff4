"""Images and documents outside the collection-permission checks Wagtail already makes.

Listings, choosers and uploads follow the tenant's collection permissions. Some doors do
not: the admin API lists every image and document of the platform to any admin user,
the document download view serves any document to whoever has its URL, a chooser
widget renders whatever id a form was posted with, and tag autocompletion and the
"popular tags" filters offer the tags of every tenant (taggit's tags are one vocabulary
for the whole platform). :mod:`sites.admin_guard` serves the views at the end of this
module in place of Wagtail's to tenant staff.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse

from taggit.models import Tag
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.views import documents as documents_views
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.views import images as images_views
from wagtail.images.views.chooser import ImageChooserViewSet, ImageChooseView
from wagtail.images.widgets import AdminImageChooser

from sites.admin_scoping import is_unrestricted, scope_media


class TenantImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self) -> QuerySet:
        return scope_media(super().get_queryset(), self.request.user)


class TenantDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self) -> QuerySet:
        return scope_media(super().get_queryset(), self.request.user)


class ScopedImageChooser(AdminImageChooser):
    """Shows only images of ``queryset``: a forged id is displayed as no choice at all,
    where Wagtail's chooser would show the image's title and thumbnail back."""

    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset

    def get_instance(self, value) -> Model | None:
        instance = super().get_instance(value)
        if instance is not None and not self.queryset.filter(pk=instance.pk).exists():
            return None
        return instance


def refuse_other_tenants_document(document, request: HttpRequest) -> None:
    """Tenant staff cannot download another tenant's documents with their session.

    Visitors and patients keep Wagtail's rules (a document is served to anyone with its
    link unless its collection is private): storefront pages link to documents.
    """
    user = request.user
    if not user.is_authenticated or not user.is_staff or is_unrestricted(user):
        return
    if not scope_media(type(document).objects.filter(pk=document.pk), user).exists():
        raise Http404("Not found")


def _tagged(model, user) -> Q:
    ids = scope_media(model.objects.all(), user).values("pk")
    content_type = ContentType.objects.get_for_model(model)
    return Q(taggit_taggeditem_items__content_type=content_type, taggit_taggeditem_items__object_id__in=ids)


def tenant_tags(user) -> QuerySet[Tag]:
    """Tags on the images and documents the user may reach."""
    return Tag.objects.filter(
        _tagged(get_image_model(), user) | _tagged(get_document_model(), user)
    ).distinct()


def popular_tenant_tags(model, user, count: int = 10) -> QuerySet[Tag]:
    """Wagtail's ``popular_tags_for_model``, counting only the media the user may reach."""
    tagged = _tagged(model, user)
    return (
        Tag.objects.filter(tagged)
        .annotate(item_count=Count("taggit_taggeditem_items", filter=tagged))
        .order_by("-item_count", "name")[:count]
    )


def tag_autocomplete(
    request: HttpRequest, app_name: str | None = None, model_name: str | None = None
) -> JsonResponse:
    """Wagtail's tag autocompletion over the tenant's own tags.

    Custom tag models (``app_name``/``model_name``) know nothing of tenants: none offered.
    """
    term = request.GET.get("term", "")
    if app_name or not term:
        return JsonResponse([], safe=False)
    tags = tenant_tags(request.user).filter(name__istartswith=term).order_by("name")
    return JsonResponse(list(tags.values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]), safe=False)


class TenantTagsFilterMixin:
    """Offers the tenant's popular tags where Wagtail offers the platform's."""

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if "tag" not in self.filters or is_unrestricted(request.user):
            return
        names = [tag.name for tag in popular_tenant_tags(self._meta.model, request.user)]
        if names:
            self.filters["tag"].extra["choices"] = [(name, name) for name in names]
        else:
            del self.filters["tag"]


class TenantImagesFilterSet(TenantTagsFilterMixin, images_views.ImagesFilterSet):
    pass


class TenantDocumentsFilterSet(TenantTagsFilterMixin, documents_views.DocumentsFilterSet):
    pass


class TenantImagesIndexView(images_views.IndexView):
    filterset_class = TenantImagesFilterSet


class TenantDocumentsIndexView(documents_views.IndexView):
    filterset_class = TenantDocumentsFilterSet


class TenantImageChooseView(ImageChooseView):
    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["popular_tags"] = popular_tenant_tags(self.model, self.request.user)
        return context


class TenantImageChooserViewSet(ImageChooserViewSet):
    # Only used to build the chooser's first view; Wagtail's viewset stays registered.
    choose_view_class = TenantImageChooseView


images_index = TenantImagesIndexView.as_view()
images_index_results = TenantImagesIndexView.as_view(results_only=True)
documents_index = TenantDocumentsIndexView.as_view()
documents_index_results = TenantDocumentsIndexView.as_view(results_only=True)
image_chooser = TenantImageChooserViewSet(
    "wagtailimages_chooser", model=get_image_model(), url_prefix="images/chooser"
).choose_view
