"""REST API v1: installed themes; super admins upload (zip) and uninstall them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from budstack.api.base import BaseViewSet
from budstack.api.errors import ApiError, Conflict
from budstack.api.permissions import IsSuperAdmin, IsTenantAdmin
from sites.audit_signals import _record_for
from themes.installer import ThemeInUse, install_zip, tenants_using, uninstall
from themes.models import Theme
from themes.validation import MAX_ZIP_BYTES, ThemeZipError


class ThemeSerializer(serializers.ModelSerializer):
    used_by = serializers.SerializerMethodField(
        help_text="Names of the dispensaries using it (super admins)."
    )

    class Meta:
        model = Theme
        fields = [
            "id",
            "slug",
            "version",
            "name",
            "description",
            "author",
            "source",
            "installed_at",
            "used_by",
        ]

    def get_used_by(self, theme: Theme) -> list[str] | None:
        request = self.context.get("request")
        if request is None or not request.user.is_super_admin:
            return None
        return tenants_using(theme)


class ThemeUploadSerializer(serializers.Serializer):
    zip_file = serializers.FileField(
        help_text="A theme zip: theme.json, templates/ and static/ (at most 10 MB)."
    )

    def validate_zip_file(self, upload):
        if upload.size > MAX_ZIP_BYTES:
            raise serializers.ValidationError("The zip is larger than 10 MB.")
        return upload


class ThemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, BaseViewSet):
    """Tenant admins list themes to choose from; super admins also install and remove them."""

    serializer_class = ThemeSerializer
    queryset = Theme.objects.all()
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "slug", "installed_at"]

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [IsSuperAdmin()]
        return [IsTenantAdmin()]

    def get_parsers(self):
        if (
            getattr(self, "action", None) == "create"
            or self.request is not None
            and self.request.method == "POST"
        ):
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()

    @extend_schema(tags=["themes"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["themes"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["themes"],
        request={"multipart/form-data": ThemeUploadSerializer},
        responses={201: ThemeSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = ThemeUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            theme = install_zip(upload.validated_data["zip_file"].read(), user=request.user)
        except ThemeZipError as error:
            if any("already installed" in problem for problem in error.problems):
                raise Conflict(
                    error.problems[0], code="THEME_EXISTS", details={"problems": error.problems}
                ) from error
            raise ApiError(400, "INVALID_THEME", "The theme zip was not installed.",
                           details={"zip_file": error.problems}) from error  # fmt: skip
        _record_for(None, "theme.installed", actor=request.user, request=request._request,
                    data={"theme": theme.key})  # fmt: skip
        return Response(
            ThemeSerializer(theme, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(tags=["themes"], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        theme = self.get_object()
        try:
            uninstall(theme)
        except ThemeInUse as error:
            raise Conflict(str(error), code="THEME_IN_USE", details={"used_by": error.tenants}) from error
        _record_for(None, "theme.uninstalled", actor=request.user, request=request._request,
                    data={"theme": theme.key})  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)
