"""The theme manifest (`theme.json`): what a theme is and what it provides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?$")
TOKEN_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
# Token values become CSS custom properties: keep them to plain colours, lengths and font stacks.
TOKEN_VALUE_RE = re.compile(r"^[#\w\s,.'\"%()-]{1,200}$")
REQUIRED = ("name", "slug", "version", "description", "author")


@dataclass(frozen=True)
class Manifest:
    name: str
    slug: str
    version: str
    description: str
    author: str
    preview_image: str = ""
    templates: tuple[str, ...] = ()
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "slug": self.slug,
            "version": self.version,
            "description": self.description,
            "author": self.author,
            "preview_image": self.preview_image,
            "templates": list(self.templates),
            "tokens": dict(self.tokens),
        }


class ManifestError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def parse_manifest(data: Any) -> Manifest:
    """Validate a decoded theme.json; raise ManifestError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ManifestError(["theme.json must be a JSON object."])
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data.get(key, "").strip():
            problems.append(f"theme.json: “{key}” is required and must be text.")
    slug, version = data.get("slug", ""), data.get("version", "")
    if isinstance(slug, str) and slug and not SLUG_RE.fullmatch(slug):
        problems.append("theme.json: “slug” must be 2–41 lowercase letters, digits or hyphens.")
    if isinstance(version, str) and version and not VERSION_RE.fullmatch(version):
        problems.append("theme.json: “version” must look like 1.0 or 1.2.3.")
    for key in ("name", "description", "author"):
        if isinstance(data.get(key), str) and len(data[key]) > 500:
            problems.append(f"theme.json: “{key}” is longer than 500 characters.")
    templates = data.get("templates", [])
    if not isinstance(templates, list) or not all(isinstance(t, str) for t in templates):
        problems.append("theme.json: “templates” must be a list of template names.")
        templates = []
    tokens = data.get("tokens", {})
    if not isinstance(tokens, dict):
        problems.append("theme.json: “tokens” must be an object of design tokens.")
        tokens = {}
    for name, value in tokens.items():
        if not TOKEN_NAME_RE.fullmatch(str(name)):
            problems.append(f"theme.json: token name “{name}” must be lowercase letters, digits or hyphens.")
        if (
            not isinstance(value, str)
            or not TOKEN_VALUE_RE.fullmatch(value)
            or any(c in value for c in ";{}<>\\")
        ):
            problems.append(f"theme.json: token “{name}” has a value that is not a plain CSS value.")
    preview = data.get("preview_image", "")
    if not isinstance(preview, str):
        problems.append("theme.json: “preview_image” must be a path inside static/.")
        preview = ""
    if problems:
        raise ManifestError(problems)
    return Manifest(
        name=data["name"].strip(),
        slug=slug,
        version=version,
        description=data["description"].strip(),
        author=data["author"].strip(),
        preview_image=preview,
        templates=tuple(templates),
        tokens={str(k): v for k, v in tokens.items()},
    )
