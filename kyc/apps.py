from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "kyc"
    label = "kyc"
    verbose_name = "KYC"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from budstack import encrypted_fields

        # Consultation answers move to the newest key with `manage.py reencrypt_fields`.
        encrypted_fields.register("kyc.ConsultationSubmission", ["answers_encrypted"])
        encrypted_fields.register("kyc.ConsultationDraft", ["answers_encrypted"])

        # Relayed Dr. Green events (client.kyc_verified, ...) arrive through the inbound
        # webhook endpoint (integrations.webhooks.inbound).
        from integrations.webhooks.inbound import register_inbound_handler

        from .inbound import CLIENT_EVENTS, handle_client_event

        for event in CLIENT_EVENTS:
            register_inbound_handler(event, handle_client_event)
