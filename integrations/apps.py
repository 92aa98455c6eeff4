from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    label = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from budstack import encrypted_fields

        encrypted_fields.register("integrations.DrGreenCredentials", ["secret_key_encrypted"])
