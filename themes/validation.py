"""Checking an uploaded theme zip before anything is stored.

Every problem found is reported (not just the first), so the uploader can fix the zip in
one go; a zip with any problem is not installed at all.
"""

from __future__ import annotations

import io
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from themes.engine import compile_check
from themes.manifest import Manifest, ManifestError, parse_manifest

MAX_ZIP_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 400
MAX_RATIO = 100  # uncompressed/compressed, per member: beyond this it is a bomb
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}
STATIC_SUFFIXES = {
    ".css", ".js", ".json", ".map", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico",
    ".woff", ".woff2", ".ttf", ".otf", ".txt",
}  # fmt: skip
TOP_LEVEL = {"theme.json", "templates", "static", "README.md", "LICENSE", "LICENSE.txt"}


@dataclass
class ValidatedTheme:
    manifest: Manifest
    files: dict[str, bytes]  # path inside the theme -> content


class ThemeZipError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The theme was not installed:\n" + "\n".join(f"- {p}" for p in problems))


def _member_problems(info: zipfile.ZipInfo) -> list[str]:
    name = info.filename
    path = PurePosixPath(name)
    problems = []
    if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        problems.append(f"{name}: absolute paths are not allowed.")
    if ".." in path.parts:
        problems.append(f"{name}: “..” is not allowed in paths.")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        problems.append(f"{name}: symbolic links are not allowed.")
    if info.file_size > MAX_FILE_BYTES:
        problems.append(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        problems.append(f"{name}: compresses suspiciously well (possible zip bomb).")
    if info.flag_bits & 0x1:
        problems.append(f"{name}: encrypted files are not allowed.")
    return problems


def _strip_root(names: list[str]) -> str:
    """Themes may be zipped with or without a top folder: find the folder holding theme.json."""
    if "theme.json" in names:
        return ""
    roots = {name.split("/", 1)[0] for name in names if "/" in name}
    if len(roots) == 1 and f"{next(iter(roots))}/theme.json" in names:
        return next(iter(roots)) + "/"
    return ""


def validate_theme_zip(data: bytes) -> ValidatedTheme:
    """Return the manifest and files of a valid theme zip, or raise ThemeZipError."""
    if len(data) > MAX_ZIP_BYTES:
        raise ThemeZipError([f"The zip is larger than {MAX_ZIP_BYTES // (1024 * 1024)} MB."])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise ThemeZipError([f"This is not a valid zip file ({error})."]) from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        problems: list[str] = []
        if len(infos) > MAX_FILES:
            problems.append(f"The zip holds {len(infos)} files; at most {MAX_FILES} are allowed.")
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
            problems.append(f"The theme unpacks to more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB.")
        if problems:
            raise ThemeZipError(problems)  # too big to look further into

        prefix = _strip_root([info.filename for info in infos])
        files: dict[str, bytes] = {}
        for info in infos:
            member_problems = _member_problems(info)
            if member_problems:
                problems.extend(member_problems)
                continue
            relative = info.filename[len(prefix) :] if info.filename.startswith(prefix) else info.filename
            top = relative.split("/", 1)[0]
            suffix = PurePosixPath(relative).suffix.lower()
            if top not in TOP_LEVEL:
                problems.append(f"{relative}: only theme.json, templates/ and static/ belong in a theme.")
                continue
            if top == "templates" and suffix not in TEMPLATE_SUFFIXES:
                problems.append(f"{relative}: templates must be .html, .txt or .xml files.")
                continue
            if top == "static" and suffix not in STATIC_SUFFIXES:
                allowed = ", ".join(sorted(STATIC_SUFFIXES))
                problems.append(
                    f"{relative}: file type {suffix or '(none)'} is not allowed in static/ ({allowed})."
                )
                continue
            content = archive.read(info)
            if len(content) != info.file_size:
                problems.append(f"{relative}: its size does not match the zip directory.")
                continue
            files[relative] = content

    manifest = None
    if "theme.json" not in files:
        problems.append("theme.json is missing.")
    else:
        try:
            manifest = parse_manifest(json.loads(files["theme.json"].decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"theme.json is not valid JSON ({error}).")
        except ManifestError as error:
            problems.extend(error.problems)
    templates = sorted(name.removeprefix("templates/") for name in files if name.startswith("templates/"))
    if manifest is not None:
        for declared in manifest.templates:
            if declared not in templates:
                problems.append(f"theme.json lists templates/{declared}, which is not in the zip.")
        if manifest.preview_image and f"static/{manifest.preview_image}" not in files:
            problems.append(f"theme.json: preview image static/{manifest.preview_image} is not in the zip.")
    for name in templates:
        try:
            files[f"templates/{name}"].decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"templates/{name}: not UTF-8 text.")
    if not problems and templates:
        problems.extend(_compile_templates(files, templates))
    if problems or manifest is None:
        raise ThemeZipError(problems)
    return ValidatedTheme(manifest=manifest, files=files)


def _compile_templates(files: dict[str, bytes], templates: list[str]) -> list[str]:
    from themes.registry import default_theme_templates_dir

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for name in templates:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[f"templates/{name}"])
        return compile_check(root, default_theme_templates_dir(), templates)
