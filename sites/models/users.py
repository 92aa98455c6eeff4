from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from sites.context import get_current_tenant, in_platform_scope, platform_scope, tenant_scope

from .scoped import TenantScopedManagerMixin


class Role(models.TextChoices):
    SUPER_ADMIN = "SUPER_ADMIN", "Super admin"
    TENANT_ADMIN = "TENANT_ADMIN", "Tenant admin"
    EDITOR = "EDITOR", "Editor"
    MARKETER = "MARKETER", "Marketer"
    PATIENT = "PATIENT", "Patient"


STAFF_ROLES = (Role.TENANT_ADMIN, Role.EDITOR, Role.MARKETER)


class UserManager(TenantScopedManagerMixin, BaseUserManager):
    """Users of the current tenant only (all of them on the platform, none outside a scope)."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Staff emails are unique platform-wide; patients never log in to the admin.
        return self.exclude(role=Role.PATIENT).get(email__iexact=username)

    def create_user(self, email, password=None, *, role=Role.PATIENT, tenant=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), role=role, tenant=tenant, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        return self.create_user(email, password, role=Role.SUPER_ADMIN, tenant=None, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Email login; every account but a super admin belongs to exactly one tenant.

    The same email may be a patient at two dispensaries (two rows), so email is unique per
    tenant, and unique platform-wide among staff so that the admin login is unambiguous.
    """

    email = models.EmailField("email address", max_length=254)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Demo accounts have a published password: they only work while DEBUG is on.
    is_demo = models.BooleanField(default=False, editable=False)
    # Part of every session's auth hash: bumping it signs the account out everywhere
    # (privilege changes, "sign out everywhere"). See _get_session_auth_hash.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()
    all_tenants = models.Manager()  # noqa: DJ012 - managers, not fields

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "user"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], name="user_email_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["email"],
                condition=~models.Q(role="PATIENT"),
                name="user_staff_email_unique",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role="SUPER_ADMIN", tenant__isnull=True)
                    | (~models.Q(role="SUPER_ADMIN") & models.Q(tenant__isnull=False))
                ),
                name="user_tenant_matches_role",
                violation_error_message="Super admins have no tenant; everyone else has one.",
            ),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email).lower()

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # Partial loads (refresh_from_db(fields=...), .only()) leave privileges unknown.
        if {"role", "tenant_id", "is_active"} <= set(field_names):
            user._loaded_privileges = user._privileges()
        return user

    def _privileges(self) -> tuple:
        return (self.role, self.tenant_id, self.is_active)

    def _get_session_auth_hash(self, secret=None) -> str:
        return salted_hmac(
            "sites.models.users.User.get_session_auth_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs) -> None:
        self.email = (self.email or "").strip().lower()
        # Role is the source of truth; the Django flags follow it.
        self.is_superuser = self.role == Role.SUPER_ADMIN
        self.is_staff = self.role != Role.PATIENT
        loaded = getattr(self, "_loaded_privileges", None)
        if self.pk is not None and loaded is not None and loaded != self._privileges():
            # A changed role, tenant or activation ends every session of the account:
            # nobody keeps a session that was granted under the old rights.
            self.session_epoch += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "session_epoch"}
        self._loaded_privileges = self._privileges()
        if get_current_tenant() is None and not in_platform_scope() and self.pk is not None:
            # Django's auth machinery (last_login, password changes) saves users outside
            # any scope; a user row is then written in the scope of its own tenant.
            scope = (
                tenant_scope(self.tenant) if self.tenant_id else platform_scope(f"save super admin {self.pk}")
            )
            with scope:
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_super_admin(self) -> bool:
        return self.role == Role.SUPER_ADMIN
