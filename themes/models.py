"""Installed themes. A theme version stays installed while any tenant uses it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models

from themes.manifest import Manifest, parse_manifest


class Theme(models.Model):
    class Source(models.TextChoices):
        BUILTIN = "builtin", "Built in"
        PACKAGE = "package", "Python package"
        UPLOAD = "upload", "Uploaded zip"

    slug = models.SlugField(max_length=41)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    manifest = models.JSONField()
    source = models.CharField(max_length=16, choices=Source.choices)
    # Built-in and package themes: their folder. Uploads: the storage prefix of their files.
    location = models.CharField(max_length=500)
    installed_at = models.DateTimeField(auto_now_add=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "slug", "version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="theme_slug_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"

    def parsed_manifest(self) -> Manifest:
        return parse_manifest(self.manifest)

    @property
    def tokens(self) -> dict[str, str]:
        return dict(self.manifest.get("tokens", {}))

    @property
    def is_uploaded(self) -> bool:
        return self.source == self.Source.UPLOAD

    def directory(self) -> Path:
        """A local folder with theme.json, templates/ and static/ (uploads are fetched once)."""
        if self.is_uploaded:
            from themes.storage import materialize

            return materialize(self)
        return Path(self.location)

    def templates_dir(self) -> Path:
        return self.directory() / "templates"
