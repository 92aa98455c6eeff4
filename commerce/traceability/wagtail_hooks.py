"""Registers the Batches admin (imported from commerce.wagtail_hooks)."""

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from commerce.traceability.admin import BatchViewSet
from commerce.traceability.models import Batch
from sites.admin_permissions import STAFF_CAN_MANAGE_PRODUCTS, SUPER_ADMIN_PRODUCT_ACTIONS, TenantRolePolicy

# Whoever manages the tenant's products records its batches and their events; an
# empty batch can be deleted (one with events never: see BatchDeleteView).
register_permission_policy(
    Batch, TenantRolePolicy(Batch, STAFF_CAN_MANAGE_PRODUCTS, SUPER_ADMIN_PRODUCT_ACTIONS)
)
register_snippet(BatchViewSet)
