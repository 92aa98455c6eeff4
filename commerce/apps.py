from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    label = "commerce"
    verbose_name = "Commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commerce.data_rights import anonymise_patient_orders
        from commerce.supplier import handle_inbound_order_status
        from integrations.webhooks.inbound import register_inbound_handler
        from kyc.data_rights import register_eraser, register_exporter

        # A patient's export lists their orders; erasure keeps the sale, anonymised.
        register_exporter(_export_orders)
        register_eraser(anonymise_patient_orders)
        register_inbound_handler("order.status_changed", handle_inbound_order_status)


def _export_orders(user) -> dict:
    from commerce.data_rights import export_patient_orders

    return {"orders": export_patient_orders(user)}
