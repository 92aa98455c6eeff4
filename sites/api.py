"""REST API v1 of the tenancy app: tokens, the current tenant, branding, theme choice,
tenants (super admins) and the audit trail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from billing.entitlements import FeatureUnavailable, allows
from billing.models import Plan
from billing.plans import DowngradeRefused, change_plan
from budstack.api.base import BaseAPIView, BaseViewSet, TenantRequired
from budstack.api.errors import ApiError, Conflict
from budstack.api.permissions import IsAuthenticatedUser, IsSuperAdmin, IsTenantAdmin
from budstack.api.throttling import AuthThrottle, TenantThrottle
from sites.audit import record_audit
from sites.audit_signals import _record_for
from sites.models import ApiToken, AuditLogEntry, Branding, Tenant
from sites.tokens import issue_token, revoke, tokens_visible_to
from themes.models import Theme

# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


class ThemeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "slug", "version", "name"]


class BrandingSerializer(serializers.ModelSerializer):
    logo_url = serializers.SerializerMethodField()

    class Meta:
        model = Branding
        fields = [
            "tagline",
            "primary_colour",
            "secondary_colour",
            "accent_colour",
            "font_pairing",
            "footer_text",
            "support_email",
            "phone",
            "address",
            "instagram_url",
            "facebook_url",
            "x_url",
            "linkedin_url",
            "logo_url",
        ]

    def get_logo_url(self, branding: Branding) -> str | None:
        return branding.logo.file.url if branding.logo_id and branding.logo else None


class TenantPublicSerializer(serializers.ModelSerializer):
    theme = ThemeSummarySerializer(read_only=True)
    branding = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["slug", "name", "country_code", "theme", "branding"]

    @staticmethod
    def _branding(tenant: Tenant) -> Branding | None:
        return Branding.objects.select_related("logo").filter(tenant=tenant).first()

    @extend_schema_field(BrandingSerializer(allow_null=True))
    def get_branding(self, tenant: Tenant) -> dict | None:
        branding = self._branding(tenant)
        return BrandingSerializer(branding).data if branding else None


class TenantAdminSerializer(serializers.ModelSerializer):
    """What super admins see and change; ``status`` suspends or reactivates."""

    theme = serializers.PrimaryKeyRelatedField(queryset=Theme.objects.all())
    plan = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Plan.objects.all(),
        allow_null=True,
        required=False,
        help_text="Plan slug (starter, professional, enterprise); null: no plan limits.",
    )

    class Meta:
        model = Tenant
        fields = [
            "id",
            "slug",
            "name",
            "country_code",
            "custom_domain",
            "status",
            "theme",
            "plan",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]
        # Uniqueness of custom_domain is answered with 409, not as a field error.
        extra_kwargs = {"custom_domain": {"validators": []}}


class AuditLogEntrySerializer(serializers.ModelSerializer):
    # Null for platform actions (super admins see those).
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "created_at",
            "tenant",
            "actor",
            "action",
            "object_type",
            "object_id",
            "data",
            "ip_address",
        ]


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    otp_token = serializers.RegexField(
        r"^[0-9]{6,8}$", required=False, help_text="Code from the authenticator app (super admins)."
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=365, required=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "is_active",
        ]


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="Shown once; send it as `Authorization: Bearer <token>`."
    )
    token_type = serializers.CharField(read_only=True, default="Bearer")
    role = serializers.CharField(source="user.role", read_only=True)
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", "token_type", "role", "tenant", *ApiTokenSerializer.Meta.fields]


class ThemeChoiceSerializer(serializers.Serializer):
    theme = serializers.PrimaryKeyRelatedField(
        queryset=Theme.objects.all(),
        required=False,
        help_text="Id of an installed theme (GET /api/v1/themes).",
    )
    rollback = serializers.BooleanField(
        required=False, default=False, help_text="Go back to the previous theme."
    )

    def validate(self, attrs):
        if not attrs.get("theme") and not attrs.get("rollback"):
            raise serializers.ValidationError("Send a theme id, or rollback: true.")
        return attrs


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------

INVALID_CREDENTIALS = "That email and password do not match an account here."


class AuthTokenView(BaseAPIView):
    """Exchange email and password for a bearer token (shown once)."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [AuthThrottle, TenantThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={201: IssuedTokenSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Patient of a dispensary (with X-Tenant-Slug)",
                value={"email": "patient@healingbuds.test", "password": "budstack-demo", "name": "POS"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        django_request = request._request
        user = authenticate(django_request, username=values["email"], password=values["password"])
        if getattr(django_request, "axes_locked_out", False):
            error = ApiError(429, "ACCOUNT_LOCKED", "Too many failed sign-ins: try again later.")
            error.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
            raise error
        if user is None:
            raise ApiError(401, "INVALID_CREDENTIALS", INVALID_CREDENTIALS)
        if self.tenant is None and not user.is_super_admin:
            raise TenantRequired()
        if user.tenant_id and not user.tenant.is_active:
            from budstack.api.base import TenantSuspended

            raise TenantSuspended()
        self._check_second_factor(user, values.get("otp_token"))
        expires_at = None
        if values.get("expires_in_days"):
            from django.utils import timezone

            expires_at = timezone.now() + timedelta(days=values["expires_in_days"])
        issued = issue_token(user, name=values.get("name", ""), expires_at=expires_at)
        _record_for(user.tenant, "api.token_issued", actor=user, target=issued.token, request=django_request,
                    data={"prefix": issued.token.prefix})  # fmt: skip
        body = IssuedTokenSerializer(issued.token).data
        body["token"] = issued.raw
        body["token_type"] = "Bearer"  # noqa: S105 - the scheme, not a secret
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _check_second_factor(user, code: str | None) -> None:
        from sites import two_factor

        device = two_factor.confirmed_device(user)
        if device is None:
            if two_factor.required_for(user):
                raise ApiError(
                    403, "TWO_FACTOR_SETUP_REQUIRED", "Set up two-factor authentication in the admin first."
                )
            return
        if not code:
            raise ApiError(401, "OTP_REQUIRED", "Send otp_token: the code from your authenticator app.")
        if not device.verify_token(code):
            raise ApiError(
                401, "OTP_INVALID", "That code is not right, or too many tries: use the current code."
            )


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, BaseViewSet):
    """Your API tokens (a tenant admin: the tenant's; a super admin: all); DELETE revokes."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticatedUser]
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens_visible_to(self.request.user, self.tenant)

    @extend_schema(tags=["auth"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["auth"], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        token = self.get_object()
        revoke(token)
        record_audit("api.token_revoked", actor=request.user, target=token, request=request._request,
                     tenant=token.tenant, data={"prefix": token.prefix})  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------
# The current tenant
# ---------------------------------------------------------------------------


class TenantCurrentView(BaseAPIView):
    permission_classes: list = []
    tenant_required = True

    @extend_schema(
        operation_id="tenant_current", tags=["tenant"], responses={200: TenantPublicSerializer}, auth=[]
    )
    def get(self, request):
        return Response(TenantPublicSerializer(self.tenant).data)


class BrandingView(BaseAPIView):
    permission_classes = [IsTenantAdmin]
    tenant_required = True

    def _branding(self) -> Branding:
        return get_object_or_404(Branding.objects.select_related("logo"), tenant=self.tenant)

    @extend_schema(
        operation_id="tenant_branding_retrieve", tags=["tenant"], responses={200: BrandingSerializer}
    )
    def get(self, request):
        return Response(BrandingSerializer(self._branding()).data)

    @extend_schema(
        operation_id="tenant_branding_update",
        tags=["tenant"],
        request=BrandingSerializer(partial=True),
        responses={200: BrandingSerializer},
        examples=[
            OpenApiExample(
                "New colours", value={"primary_colour": "#1f6f4a", "tagline": "Care first"}, request_only=True
            )
        ],  # fmt: skip
    )
    def patch(self, request):
        branding = self._branding()
        serializer = BrandingSerializer(branding, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        record_audit("branding.updated", actor=request.user, target=branding, request=request._request,
                     data={"fields": sorted(serializer.validated_data)})  # fmt: skip
        return Response(serializer.data)


class TenantThemeView(BaseAPIView):
    permission_classes = [IsTenantAdmin]
    tenant_required = True

    @extend_schema(
        operation_id="tenant_theme_set",
        tags=["tenant"],
        request=ThemeChoiceSerializer,
        responses={200: TenantPublicSerializer},
        examples=[OpenApiExample("Choose a theme", value={"theme": 2}, request_only=True)],
    )
    def post(self, request):
        choice = ThemeChoiceSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        tenant = Tenant.objects.select_for_update().get(pk=self.tenant.pk)
        if choice.validated_data.get("rollback"):
            if tenant.previous_theme_id is None:
                raise Conflict("There is no previous theme to go back to.", code="NO_PREVIOUS_THEME")
            tenant.theme, tenant.previous_theme = tenant.previous_theme, tenant.theme
        else:
            theme = choice.validated_data["theme"]
            if theme.source != Theme.Source.BUILTIN and not allows(tenant, "custom_themes"):
                refusal = FeatureUnavailable(tenant, "custom_themes")
                raise ApiError(403, refusal.code, str(refusal), refusal.details)
            if theme.pk != tenant.theme_id:
                tenant.previous_theme, tenant.theme = tenant.theme, theme
        tenant.save(update_fields=["theme", "previous_theme", "updated_at"])
        record_audit("theme.applied", actor=request.user, target=tenant.theme, request=request._request,
                     tenant=tenant, data={"theme": tenant.theme.key})  # fmt: skip
        return Response(TenantPublicSerializer(tenant).data)


# ---------------------------------------------------------------------------
# Tenants (super admins)
# ---------------------------------------------------------------------------


class TenantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, BaseViewSet):
    serializer_class = TenantAdminSerializer
    permission_classes = [IsSuperAdmin]
    queryset = Tenant.objects.select_related("theme", "plan").order_by("name")
    http_method_names = ["get", "patch", "head", "options"]
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "slug", "created_at", "country_code"]

    def get_queryset(self) -> QuerySet[Tenant]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if q := params.get("q", "").strip():
            queryset = queryset.filter(Q(name__icontains=q) | Q(slug__icontains=q))
        if status_ := params.get("status"):
            queryset = queryset.filter(status=status_)
        if country := params.get("country_code"):
            queryset = queryset.filter(country_code=country.upper())
        return queryset

    @extend_schema(
        tags=["tenants"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or slug contains."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s for s, _ in Tenant.Status.choices]),
            OpenApiParameter("country_code", OpenApiTypes.STR, description="ISO 3166-1 alpha-2."),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["tenants"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["tenants"],
        description=(
            "`status`: `suspended` closes the tenant (storefront unavailable, admin read-only, API 403 "
            "`TENANT_SUSPENDED`), `active` reactivates it, `offboarding` exports its data and schedules "
            "its deletion after `OFFBOARDING_GRACE_DAYS`. A change its current status does not allow is a 409."
        ),
        examples=[OpenApiExample("Suspend", value={"status": "suspended"}, request_only=True)],
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        from sites import lifecycle

        before = serializer.instance.status
        if "plan" in serializer.validated_data:
            plan = serializer.validated_data.pop("plan")
            try:
                change_plan(serializer.instance, plan, actor=self.request.user, request=self.request._request)
            except DowngradeRefused as refusal:
                raise Conflict(
                    str(refusal), code=refusal.code, details={"exceeded": refusal.problems}
                ) from refusal
        new_status = serializer.validated_data.pop("status", before)
        changed = sorted(serializer.validated_data)
        try:
            with transaction.atomic():
                tenant = serializer.save()
        except IntegrityError as error:
            raise Conflict(
                "Another dispensary already uses that custom domain.", code="DOMAIN_TAKEN"
            ) from error
        if changed:
            record_audit("tenant.updated", actor=self.request.user, target=tenant, request=self.request._request,
                         tenant=tenant, data={"fields": changed})  # fmt: skip
        if new_status != before:
            # Status changes are lifecycle actions: same rules and one audit entry each.
            change = {
                Tenant.Status.ACTIVE: lifecycle.reactivate,
                Tenant.Status.SUSPENDED: lifecycle.suspend,
                Tenant.Status.OFFBOARDING: lifecycle.start_offboarding,
            }[new_status]
            try:
                serializer.instance = change(tenant, actor=self.request.user, request=self.request._request)
            except lifecycle.LifecycleError as error:
                raise Conflict(str(error), code="INVALID_STATUS_CHANGE") from error


# ---------------------------------------------------------------------------
# Audit trail
# ---------------------------------------------------------------------------


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = AuditLogEntrySerializer
    permission_classes = [IsTenantAdmin]
    queryset = AuditLogEntry.objects.none()

    def get_queryset(self) -> QuerySet[AuditLogEntry]:
        # Scoped manager and RLS: the tenant's entries in a tenant's scope, every entry
        # (platform ones too) in a super admin's platform scope.
        queryset = AuditLogEntry.objects.select_related("tenant")
        params = self.request.query_params
        if (slug := params.get("tenant")) and self.request.user.is_super_admin:
            queryset = queryset.filter(tenant__slug=slug)
        if action := params.get("action"):
            queryset = queryset.filter(action__startswith=action)
        if actor := params.get("actor"):
            queryset = queryset.filter(actor_label__icontains=actor)
        since = serializers.DateTimeField(required=False)
        for name, lookup in (("since", "created_at__gte"), ("until", "created_at__lt")):
            if value := params.get(name):
                try:
                    queryset = queryset.filter(**{lookup: since.to_internal_value(value)})
                except serializers.ValidationError as error:
                    raise serializers.ValidationError({name: error.detail}) from error
        ordering = params.get("ordering", "-created_at")
        if ordering not in ("created_at", "-created_at"):
            raise serializers.ValidationError({"ordering": ["Use created_at or -created_at."]})
        return queryset.order_by(ordering, f"{ordering[0] if ordering[0] == '-' else ''}pk")

    @extend_schema(
        tags=["audit"],
        parameters=[
            OpenApiParameter(
                "tenant", OpenApiTypes.STR, description="Super admins: only this tenant's slug."
            ),
            OpenApiParameter("action", OpenApiTypes.STR, description="Action starts with, e.g. `auth.`."),
            OpenApiParameter("actor", OpenApiTypes.STR, description="Actor contains."),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=["created_at", "-created_at"]),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["audit"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
