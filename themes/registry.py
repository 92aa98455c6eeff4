"""Built-in themes known to the platform.

Installable template sets (manifest, templates/, static/) arrive with the themes
capability; until then every tenant renders the default templates with its theme's
design tokens, so the choice is already stored, validated and visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThemeInfo:
    slug: str
    name: str
    description: str
    tokens: dict[str, str] = field(default_factory=dict)


BUILTIN_THEMES: dict[str, ThemeInfo] = {
    theme.slug: theme
    for theme in (
        ThemeInfo(
            "sage",
            "Sage",
            "Calm greens on warm paper; the default storefront.",
            {"background": "#fbfaf5", "text": "#1d2a22", "font": "Georgia, 'Times New Roman', serif"},
        ),
        ThemeInfo(
            "clinic",
            "Clinic",
            "Crisp clinical white and blue, sans-serif.",
            {"background": "#ffffff", "text": "#13233a", "font": "'Helvetica Neue', Arial, sans-serif"},
        ),
        ThemeInfo(
            "nocturne",
            "Nocturne",
            "Dark, high-contrast boutique look.",
            {"background": "#15171c", "text": "#f1f1ee", "font": "'Trebuchet MS', Verdana, sans-serif"},
        ),
    )
}
DEFAULT_THEME = "sage"


def get_theme(slug: str) -> ThemeInfo:
    return BUILTIN_THEMES.get(slug) or BUILTIN_THEMES[DEFAULT_THEME]


def is_known_theme(slug: str) -> bool:
    return slug in BUILTIN_THEMES
