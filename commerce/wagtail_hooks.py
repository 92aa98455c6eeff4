from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from commerce.admin_orders import OrderViewSet
from commerce.bulk_actions import PublishProducts, UnpublishProducts
from commerce.models import Order, Product
from commerce.viewsets import ProductViewSet
from sites.admin_permissions import (
    STAFF_CAN_MANAGE_PRODUCTS,
    SUPER_ADMIN_PRODUCT_ACTIONS,
    TenantRolePolicy,
)
from sites.models import Role

register_permission_policy(
    Product, TenantRolePolicy(Product, STAFF_CAN_MANAGE_PRODUCTS, SUPER_ADMIN_PRODUCT_ACTIONS)
)
# Orders are placed by patients, never added or deleted in the admin; tenant admins
# move them through their statuses, super admins may too.
register_permission_policy(
    Order, TenantRolePolicy(Order, {Role.TENANT_ADMIN: {"change", "view"}}, {"change", "view"})
)
register_snippet(ProductViewSet)
register_snippet(OrderViewSet)
hooks.register("register_bulk_action", PublishProducts)
hooks.register("register_bulk_action", UnpublishProducts)

# The traceability ledger's admin (batches and their events).
import commerce.traceability.wagtail_hooks  # noqa: E402, F401
