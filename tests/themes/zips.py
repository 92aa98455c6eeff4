"""Building theme zips, good and bad, in memory."""

import io
import json
import stat
import zipfile

GOOD_MANIFEST = {
    "name": "Harbour",
    "slug": "harbour",
    "version": "1.0",
    "description": "Sea-blue test theme.",
    "author": "Tests",
    "templates": ["base.html", "pages/about_page.html"],
    "tokens": {"brand": "#0a4d68", "background": "#f0f8ff"},
}
GOOD_FILES = {
    "templates/base.html": '{% extends "base.html" %}{% block body_class %}harbour{% endblock %}',
    "templates/pages/about_page.html": (
        '{% extends "base.html" %}{% load wagtailcore_tags %}'
        '{% block content %}<h1 class="harbour-title">Harbour: {{ page.title }}</h1>{% endblock %}'
    ),
    "static/storefront.css": "body { background: #f0f8ff; } .harbour-title { color: #0a4d68; }",
}


def make_zip(files=None, manifest=None, extra=None, symlinks=(), root="") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(root + "theme.json", json.dumps(manifest if manifest is not None else GOOD_MANIFEST))
        for name, content in {**(GOOD_FILES if files is None else files), **(extra or {})}.items():
            archive.writestr(root + name, content)
        for name in symlinks:
            info = zipfile.ZipInfo(root + name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()
