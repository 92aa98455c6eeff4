from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from commerce.models import Product
from commerce.viewsets import ProductViewSet
from sites.admin_permissions import (
    STAFF_CAN_MANAGE_PRODUCTS,
    SUPER_ADMIN_PRODUCT_ACTIONS,
    TenantRolePolicy,
)

register_permission_policy(
    Product, TenantRolePolicy(Product, STAFF_CAN_MANAGE_PRODUCTS, SUPER_ADMIN_PRODUCT_ACTIONS)
)
register_snippet(ProductViewSet)

# The traceability ledger's admin (batches and their events).
import commerce.traceability.wagtail_hooks  # noqa: E402, F401
