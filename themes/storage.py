"""Uploaded themes' files: kept in the default storage (S3 in production), served from a
local copy that each process fetches once."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

MARKER = ".complete"


def storage_prefix(slug: str, version: str) -> str:
    return f"themes/{slug}/{version}"


def store_files(prefix: str, files: dict[str, bytes]) -> list[str]:
    """Write every file under ``prefix``; return the names written (for cleanup on failure)."""
    written = []
    for relative, content in sorted(files.items()):
        name = default_storage.save(f"{prefix}/{relative}", ContentFile(content))
        written.append(name)
        if name != f"{prefix}/{relative}":
            raise RuntimeError(f"storage renamed {relative}; the theme prefix was not empty")
    return written


def delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def list_files(prefix: str) -> list[str]:
    found = []
    directories, files = default_storage.listdir(prefix)
    found.extend(f"{prefix}/{name}" for name in files)
    for directory in directories:
        found.extend(list_files(f"{prefix}/{directory}"))
    return found


def cache_root() -> Path:
    return Path(settings.THEME_CACHE_DIR)


def materialize(theme) -> Path:
    """The local folder of an uploaded theme, fetched from storage on first use."""
    target = cache_root() / theme.slug / theme.version
    if (target / MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".fetch-"))
    try:
        for name in list_files(theme.location):
            relative = name[len(theme.location) + 1 :]
            destination = scratch / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source:
                destination.write_bytes(source.read())
        (scratch / MARKER).write_text("ok")
        if not (target / MARKER).exists():
            shutil.rmtree(target, ignore_errors=True)
            scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
