"""Theme-aware static files and design tokens as CSS custom properties."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import mark_safe

from themes.context import active_theme
from themes.fragments import do_fragment
from themes.manifest import TOKEN_NAME_RE, TOKEN_VALUE_RE
from themes.registry import DEFAULT_THEME, default_theme_dir, read_theme_dir

register = template.Library()
register.tag("fragment", do_fragment)


@lru_cache(maxsize=1)
def _default_version() -> str:
    return read_theme_dir(default_theme_dir(), "builtin").manifest.version


# Branding fields that override the theme's tokens.
BRANDING_TOKENS = {"brand": "primary_colour", "accent": "accent_colour", "secondary": "secondary_colour"}


def _static_url(theme, path: str) -> str:
    if theme.source == theme.Source.BUILTIN:
        return static(f"themes/{theme.slug}/{theme.version}/{path}")
    # A platform route at the site root, whatever store prefix the page was reached by.
    return f"/theme-static/{theme.slug}/{theme.version}/{path}"


@register.simple_tag
def theme_static(path: str) -> str:
    """URL of a file in the active theme's static/, falling back to the default theme's."""
    theme = active_theme()
    if theme is None:
        return _resolve_static(None, str(path))
    return _resolve_static((theme.pk, theme.slug, theme.version, theme.source), str(path))


@lru_cache(maxsize=4096)
def _resolve_static(theme_key: tuple | None, path: str) -> str:
    """Cached per (theme, version, path): an installed theme version's files never change
    (a new upload is a new version), so the filesystem is asked once per process."""
    parts = path.split("/")  # plain str parts: pathlib refuses SafeString
    theme = active_theme()  # the theme theme_key identifies: only called from theme_static
    if theme is not None and theme.directory().joinpath("static", *parts).is_file():
        return _static_url(theme, path)
    if default_theme_dir().joinpath("static", *parts).is_file():
        return static(f"themes/{DEFAULT_THEME}/{_default_version()}/{path}")
    return ""


@register.simple_tag(takes_context=True)
def theme_css_variables(context) -> str:
    """``<style>`` with the theme's tokens, the tenant's branding taking precedence."""
    theme = active_theme()
    tokens: dict[str, str] = dict(theme.tokens) if theme is not None else {}
    branding = context.get("branding")
    for token, field in BRANDING_TOKENS.items():
        value = getattr(branding, field, "") if branding is not None else ""
        if value:
            tokens[token] = value
    if branding is not None and branding.font_stack():
        tokens["font-body"] = tokens["font-heading"] = branding.font_stack()
    # <style> is raw text: HTML escaping would corrupt quoted font names. The pattern admits
    # no "<", ">", ";", braces or backslashes, so a value can neither end the rule nor the element.
    declarations = " ".join(
        f"--{name}: {value};"
        for name, value in tokens.items()
        if TOKEN_NAME_RE.fullmatch(name)
        and TOKEN_VALUE_RE.fullmatch(value)
        and not set(value) & set(";{}<>\\")
    )
    return mark_safe(f"<style{nonce_attribute(context)}>:root {{ {declarations} }}</style>")  # noqa: S308 - validated above


def nonce_attribute(context) -> str:
    """`` nonce="..."`` for the request's Content-Security-Policy, or nothing outside a request."""
    lazy_nonce = getattr(context.get("request"), "csp_nonce", None)
    # str() first: django-csp's lazy nonce is falsy until evaluated, and evaluating it is
    # what puts it into the response's header.
    nonce = str(lazy_nonce) if lazy_nonce is not None else ""
    return f' nonce="{escape(nonce)}"' if nonce else ""
