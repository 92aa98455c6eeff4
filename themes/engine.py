"""The template engines that render themes.

Built-in and pip-installed themes are code reviewed like the rest of the platform and
render through the project's engine. Uploaded themes are data from a super admin: they
render through a restricted engine that knows only an allow-list of tag libraries and
can load templates only from the theme itself and the default theme it builds on.
Django's template language still lets a template call attribute chains, so uploading
a theme stays a super-admin-only act (see README, "Themes: trust model").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template import Engine

ALLOWED_LIBRARIES = {
    "static": "django.templatetags.static",
    "i18n": "django.templatetags.i18n",
    "l10n": "django.templatetags.l10n",
    "tz": "django.templatetags.tz",
    "wagtailcore_tags": "wagtail.templatetags.wagtailcore_tags",
    "wagtailimages_tags": "wagtail.images.templatetags.wagtailimages_tags",
    "wagtailuserbar": "wagtail.admin.templatetags.wagtailuserbar",
    "wagtailroutablepage_tags": "wagtail.contrib.routable_page.templatetags.wagtailroutablepage_tags",
    "theme_tags": "themes.templatetags.theme_tags",
}


class RestrictedEngine(Engine):
    default_builtins = [
        "themes.restricted_tags",
        "django.template.defaultfilters",
        "django.template.loader_tags",
    ]


def _context_processors() -> list[str]:
    return settings.TEMPLATES[0]["OPTIONS"]["context_processors"]


@lru_cache(maxsize=256)
def restricted_engine(theme_dir: str, default_dir: str) -> Engine:
    """An engine for one uploaded theme: its templates, then the default theme's."""
    return RestrictedEngine(
        dirs=[theme_dir, default_dir],
        loaders=[("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])],
        libraries=dict(ALLOWED_LIBRARIES),
        context_processors=_context_processors(),
        debug=False,
        autoescape=True,
    )


def compile_check(theme_dir: Path, default_dir: Path, names: list[str]) -> list[str]:
    """Compile every template as it will run; one message per problem.

    Besides syntax and tag libraries, every constant ``{% extends %}``/``{% include %}``
    must resolve inside the theme or the default theme, so a theme cannot fail at render
    time by reaching for templates it may not use.
    """
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader_tags import ExtendsNode, IncludeNode

    engine = RestrictedEngine(dirs=[str(theme_dir), str(default_dir)], libraries=dict(ALLOWED_LIBRARIES))
    problems = []
    for name in names:
        try:
            compiled = engine.get_template(name)
        except TemplateSyntaxError as error:
            problems.append(f"templates/{name}: {error}")
            continue
        except Exception as error:  # noqa: BLE001 - every failure is reported to the uploader
            problems.append(f"templates/{name}: {type(error).__name__}: {error}")
            continue
        for node in compiled.nodelist.get_nodes_by_type((ExtendsNode, IncludeNode)):
            expression = node.parent_name if isinstance(node, ExtendsNode) else node.template
            target = getattr(expression, "var", None)
            if not isinstance(target, str):
                continue  # a variable: resolved at render time, inside the same engine
            try:
                engine.find_template(target)
            except TemplateDoesNotExist:
                problems.append(
                    f"templates/{name}: uses “{target}”, which is neither in the theme nor in the default theme."
                )
    return problems
