"""Installing and uninstalling themes: all or nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from themes.models import Theme
from themes.registry import ThemeSource, builtin_themes, package_themes
from themes.storage import delete_files, storage_prefix, store_files
from themes.validation import ThemeZipError, validate_theme_zip

logger = logging.getLogger(__name__)


class ThemeInUse(Exception):
    def __init__(self, theme: Theme, tenants: list[str]):
        self.theme = theme
        self.tenants = tenants
        super().__init__(f"{theme} is used by: {', '.join(tenants)}. Switch them to another theme first.")


def register_source(source: ThemeSource) -> tuple[Theme, bool]:
    """Record a built-in or package theme (idempotent)."""
    manifest = source.manifest
    return Theme.objects.update_or_create(
        slug=manifest.slug,
        version=manifest.version,
        defaults={
            "name": manifest.name,
            "description": manifest.description,
            "author": manifest.author,
            "manifest": manifest.as_dict(),
            "source": source.source,
            "location": str(source.directory),
        },
    )


def sync_installed_sources() -> list[Theme]:
    """Make the built-in and pip-installed themes known; run after every migrate."""
    return [register_source(source)[0] for source in [*builtin_themes(), *package_themes()]]


def install_zip(data: bytes, user=None) -> Theme:
    """Validate, store and register an uploaded theme; raise ThemeZipError listing every problem."""
    validated = validate_theme_zip(data)
    manifest = validated.manifest
    if Theme.objects.filter(slug=manifest.slug, version=manifest.version).exists():
        raise ThemeZipError([f"{manifest.name} {manifest.version} is already installed; raise the version."])
    prefix = storage_prefix(manifest.slug, manifest.version)
    written: list[str] = []
    try:
        written = store_files(prefix, validated.files)
        with transaction.atomic():
            theme = Theme.objects.create(
                slug=manifest.slug,
                version=manifest.version,
                name=manifest.name,
                description=manifest.description,
                author=manifest.author,
                manifest=manifest.as_dict(),
                source=Theme.Source.UPLOAD,
                location=prefix,
                installed_by=user,
            )
    except IntegrityError as error:
        delete_files(written)
        raise ThemeZipError([f"{manifest.name} {manifest.version} is already installed."]) from error
    except Exception:
        delete_files(written)
        raise
    logger.info("installed theme %s from upload (%d files)", theme.key, len(written))
    return theme


def tenants_using(theme: Theme) -> list[str]:
    from sites.models import Tenant

    return sorted(Tenant.objects.filter(theme=theme).values_list("name", flat=True))


def uninstall(theme: Theme) -> None:
    """Remove a theme version no tenant uses; built-in themes stay."""
    users = tenants_using(theme)
    if users:
        raise ThemeInUse(theme, users)
    if theme.source == Theme.Source.BUILTIN:
        raise ThemeInUse(theme, ["the platform (built-in themes cannot be removed)"])
    from sites.models import Tenant

    Tenant.objects.filter(previous_theme=theme).update(previous_theme=None)
    if theme.is_uploaded:
        from themes.storage import list_files

        delete_files(list_files(theme.location))
    theme.delete()


def latest(slug: str) -> Theme | None:
    versions = list(Theme.objects.filter(slug=slug))
    if not versions:
        return None
    return max(versions, key=lambda theme: theme.parsed_manifest().version_key)


@dataclass(frozen=True)
class ThemeChoice:
    theme: Theme
    is_current: bool
