from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    label = "pages"
    verbose_name = "Pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the beat's tasks in every process, so they also run inline (eager).
        from pages import cache_signals, tasks  # noqa: F401

        cache_signals.connect()
