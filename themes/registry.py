"""Where themes come from: the built-in folders and pip packages' entry points."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from themes.manifest import Manifest, parse_manifest

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
DEFAULT_THEME = "sage"
ENTRY_POINT_GROUP = "budstack.themes"


@dataclass(frozen=True)
class ThemeSource:
    manifest: Manifest
    directory: Path  # holds theme.json, templates/ and static/
    source: str  # "builtin" or "package"


def read_theme_dir(directory: Path, source: str) -> ThemeSource:
    manifest = parse_manifest(json.loads((directory / "theme.json").read_text(encoding="utf-8")))
    return ThemeSource(manifest, directory, source)


def builtin_themes() -> list[ThemeSource]:
    return [read_theme_dir(path.parent, "builtin") for path in sorted(BUILTIN_DIR.glob("*/theme.json"))]


def package_themes() -> list[ThemeSource]:
    """Themes that pip-installed packages announce in the ``budstack.themes`` entry point group.

    An entry point names a module; its folder (or its ``THEME_DIR`` attribute) is the theme.
    """
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        module = entry.load()
        directory = Path(getattr(module, "THEME_DIR", Path(module.__file__).resolve().parent))
        found.append(read_theme_dir(directory, "package"))
    return found


def default_theme_dir() -> Path:
    return BUILTIN_DIR / DEFAULT_THEME


def default_theme_templates_dir() -> Path:
    return default_theme_dir() / "templates"
