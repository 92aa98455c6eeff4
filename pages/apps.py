from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    label = "pages"
    verbose_name = "Pages"
    default_auto_field = "django.db.models.BigAutoField"
