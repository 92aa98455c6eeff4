"""Tenant-owned Wagtail images and documents.

The tenant follows from the collection: each tenant has one collection (and may nest
others below it); files in the root collection belong to the platform (tenant is NULL).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from wagtail.documents.models import AbstractDocument, Document, DocumentQuerySet
from wagtail.images.models import AbstractImage, AbstractRendition, Image, ImageQuerySet

from sites.models import TenantScopedManagerMixin


def tenant_for_collection(collection):
    """The tenant owning ``collection`` or one of its ancestors, or None for the platform."""
    from sites.models import Tenant

    if collection is None:
        return None
    ancestors = collection.get_ancestors(inclusive=True)
    return Tenant.objects.filter(collection__in=ancestors).first()


class TenantMediaMixin(models.Model):
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.tenant = tenant_for_collection(self.collection)
        super().save(*args, **kwargs)

    def check_storage_limit(self) -> None:
        """A new file must fit in what the tenant's plan allows (``max_storage_mb``)."""
        if not self.file or getattr(self.file, "_committed", True):
            return
        # The admin may still hold the default (root) collection when the model is
        # validated; tenant staff upload in their tenant's scope either way.
        from sites.context import get_current_tenant

        tenant = tenant_for_collection(self.collection) if self.collection_id else None
        tenant = tenant or get_current_tenant()
        if tenant is None:
            return
        from decimal import Decimal

        from billing.limits import MB, check_limit
        from sites.limits import PlanLimitReached

        try:
            check_limit(tenant, "storage_mb", adding=Decimal(self.file.size or 0) / MB)
        except PlanLimitReached as refusal:
            raise ValidationError({"file": [str(refusal)]}) from refusal


class TenantImageManager(TenantScopedManagerMixin, models.Manager.from_queryset(ImageQuerySet)):
    pass


class TenantDocumentManager(TenantScopedManagerMixin, models.Manager.from_queryset(DocumentQuerySet)):
    pass


class TenantImage(TenantMediaMixin, AbstractImage):  # noqa: DJ008 - AbstractImage has __str__
    caption = models.CharField(max_length=255, blank=True)

    objects = TenantImageManager()
    all_tenants = ImageQuerySet.as_manager()

    admin_form_fields = Image.admin_form_fields + ("caption",)

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        permissions = [("choose_tenantimage", "Can choose image")]

    def save(self, *args, **kwargs) -> None:
        if self.file and not getattr(self.file, "_committed", True):
            from media.uploads import normalised_filename, without_metadata

            name = normalised_filename(self.file.name)
            cleaned = without_metadata(self.file)
            if cleaned is None:
                self.file.name = name
            else:
                # Assigning through the field re-reads the dimensions: orientation is
                # now in the pixels, so a portrait photo's sides swap.
                cleaned.name = name
                self.file = cleaned
                self._set_image_file_metadata()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_storage_limit()


class TenantRendition(AbstractRendition):
    image = models.ForeignKey(TenantImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class TenantDocument(TenantMediaMixin, AbstractDocument):  # noqa: DJ008 - AbstractDocument has __str__
    admin_form_fields = Document.admin_form_fields

    objects = TenantDocumentManager()
    all_tenants = DocumentQuerySet.as_manager()

    class Meta(AbstractDocument.Meta):
        verbose_name = "document"
        permissions = [("choose_tenantdocument", "Can choose document")]

    def save(self, *args, **kwargs) -> None:
        if self.file and not getattr(self.file, "_committed", True):
            from media.uploads import normalised_filename

            self.file.name = normalised_filename(self.file.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not self.file or getattr(self.file, "_committed", True):
            return
        from media.uploads import document_problems

        self.check_storage_limit()

        max_bytes = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)
        problems = document_problems(
            self.file, self.file_extension, **({"max_bytes": max_bytes} if max_bytes else {})
        )
        if problems:
            raise ValidationError({"file": problems})
