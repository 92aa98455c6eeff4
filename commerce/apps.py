import logging

from django.apps import AppConfig

logger = logging.getLogger("budstack.commerce")


class CommerceConfig(AppConfig):
    name = "commerce"
    label = "commerce"
    verbose_name = "Commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Other features' registries, when their branches have landed; commerce works
        # without them.
        try:
            from kyc.data_rights import register
        except ImportError:
            pass
        else:
            from commerce.data_rights import anonymise_patient_orders, export_patient_orders

            register("orders", export=export_patient_orders, erase=anonymise_patient_orders)
        try:
            from integrations.webhooks.inbound import register_inbound_handler
        except ImportError:
            pass
        else:
            from commerce.supplier import handle_inbound_order_status

            register_inbound_handler("order.status_changed", handle_inbound_order_status)
