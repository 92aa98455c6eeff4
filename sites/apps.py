from django.apps import AppConfig


class SitesConfig(AppConfig):
    # "sites" would collide with django.contrib.sites, so the label is explicit.
    name = "sites"
    label = "tenancy"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"
