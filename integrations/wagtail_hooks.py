"""Admin hooks of the integrations app."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from integrations.webhooks.admin import WebhookEndpointViewSet, policy
from integrations.webhooks.models import WebhookEndpoint

register_permission_policy(WebhookEndpoint, policy)


@hooks.register("register_admin_viewset")
def register_webhooks_viewset() -> WebhookEndpointViewSet:
    return WebhookEndpointViewSet("webhooks")
