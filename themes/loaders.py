"""Per-tenant template resolution: the active theme, then the default theme, then apps.

Only storefront template names can be themed, so a theme can never replace the admin.
Templates of uploaded themes compile through the restricted engine (themes.engine).
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.template import Origin, Template, TemplateDoesNotExist
from django.template.loaders.base import Loader
from django.template.loaders.cached import Loader as CachedLoader
from django.utils._os import safe_join

from themes.context import active_theme
from themes.engine import restricted_engine
from themes.registry import default_theme_templates_dir

THEMEABLE = ("base.html", "404.html", "pages/", "blocks/", "commerce/", "kyc/", "search/", "sites/auth/",
             "sites/account.html", "emails/", "themes/partials/")  # fmt: skip


def is_themeable(template_name: str) -> bool:
    return template_name.startswith(THEMEABLE)


class ThemeOrigin(Origin):
    def __init__(self, *args, restricted_dirs: tuple[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.restricted_dirs = restricted_dirs


class ThemeLoader(Loader):
    def get_template_sources(self, template_name):
        default_dir = str(default_theme_templates_dir())
        theme = active_theme()
        candidates: list[tuple[str, tuple[str, str] | None]] = []
        if theme is not None and is_themeable(template_name):
            theme_dir = str(theme.templates_dir())
            if theme_dir != default_dir:
                candidates.append((theme_dir, (theme_dir, default_dir) if theme.is_uploaded else None))
        candidates.append((default_dir, None))
        for directory, restricted in candidates:
            try:
                name = safe_join(directory, template_name)
            except SuspiciousFileOperation:
                continue
            yield ThemeOrigin(name=name, template_name=template_name, loader=self, restricted_dirs=restricted)

    def get_contents(self, origin):
        try:
            with open(origin.name, encoding=self.engine.file_charset) as handle:
                return handle.read()
        except FileNotFoundError as error:
            raise TemplateDoesNotExist(origin) from error

    def get_template(self, template_name, skip=None):
        tried = []
        for origin in self.get_template_sources(template_name):
            if skip is not None and origin in skip:
                tried.append((origin, "Skipped to avoid recursion"))
                continue
            try:
                contents = self.get_contents(origin)
            except TemplateDoesNotExist:
                tried.append((origin, "Source does not exist"))
                continue
            engine = restricted_engine(*origin.restricted_dirs) if origin.restricted_dirs else self.engine
            return Template(contents, origin, origin.template_name, engine)
        raise TemplateDoesNotExist(template_name, tried=tried)


class ThemeCachedLoader(CachedLoader):
    """Django's cached loader, keyed by theme as well as by template name."""

    def cache_key(self, template_name, skip=None):
        theme = active_theme()
        theme_key = theme.key if theme is not None and is_themeable(template_name) else "-"
        return f"{theme_key}:{super().cache_key(template_name, skip)}"
