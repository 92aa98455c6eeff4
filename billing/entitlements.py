"""Plan features: custom domain, API access, webhooks, custom themes.

``allows(tenant, "webhooks")`` is the one question; a tenant without a plan is allowed
everything (internal tenants, and every tenant before plans existed).
"""

from __future__ import annotations

FEATURES = {
    "custom_domain": ("allows_custom_domain", "custom domains"),
    "api_access": ("allows_api_access", "API access"),
    "webhooks": ("allows_webhooks", "webhooks"),
    "custom_themes": ("allows_custom_themes", "custom themes"),
}


class FeatureUnavailable(Exception):
    code = "PLAN_FEATURE_UNAVAILABLE"

    def __init__(self, tenant, feature: str):
        self.feature = feature
        self.plan = tenant.plan
        label = FEATURES[feature][1]
        super().__init__(
            f"The {tenant.plan.name} plan of {tenant.name} does not include {label}. "
            "Upgrade the plan to use them."
        )

    @property
    def details(self) -> dict:
        return {"feature": self.feature, "plan": getattr(self.plan, "slug", None)}


def allows(tenant, feature: str) -> bool:
    """Whether ``tenant``'s plan includes ``feature`` (one of :data:`FEATURES`)."""
    field, _ = FEATURES[feature]
    plan = getattr(tenant, "plan", None) if tenant is not None else None
    return plan is None or bool(getattr(plan, field))


def require(tenant, feature: str) -> None:
    """Raise :class:`FeatureUnavailable` unless ``tenant``'s plan includes ``feature``."""
    if not allows(tenant, feature):
        raise FeatureUnavailable(tenant, feature)
