from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_themes(sender, **kwargs) -> None:
    # `flush` also sends post_migrate, without a plan. Recreating themes there gives them
    # new ids, which collide with the data a serialized rollback restores next (tests).
    if kwargs.get("plan") is None:
        return
    from themes.installer import sync_installed_sources

    sync_installed_sources()


class ThemesConfig(AppConfig):
    name = "themes"
    label = "themes"
    verbose_name = "Themes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Built-in and pip-installed themes are (re)registered after every migrate.
        post_migrate.connect(_sync_themes, sender=self, dispatch_uid="budstack_sync_themes")
