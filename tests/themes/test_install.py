"""Theme zips: a good one installs completely, a bad one is refused with nothing written."""

import json
import sys
import zipfile

from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

import pytest

from tests.themes.zips import GOOD_FILES, GOOD_MANIFEST, make_zip
from themes.installer import ThemeInUse, install_zip, uninstall
from themes.models import Theme
from themes.storage import list_files
from themes.validation import ThemeZipError, validate_theme_zip

pytestmark = pytest.mark.django_db


def stored_theme_files() -> list[str]:
    return list_files("themes") if default_storage.exists("themes") else []


def test_builtin_themes_are_installed_after_migrate():
    assert {(t.slug, t.source) for t in Theme.objects.all()} >= {
        ("sage", "builtin"),
        ("clinic", "builtin"),
        ("nocturne", "builtin"),
    }


def test_a_good_zip_installs_completely():
    theme = install_zip(make_zip())
    assert (theme.slug, theme.version, theme.source) == ("harbour", "1.0", "upload")
    assert sorted(stored_theme_files()) == sorted(
        ["themes/harbour/1.0/theme.json", *(f"themes/harbour/1.0/{name}" for name in GOOD_FILES)]
    )
    assert (theme.directory() / "templates" / "base.html").read_text().startswith("{% extends")


def test_a_zip_with_a_top_folder_installs_too():
    assert install_zip(make_zip(root="harbour-theme/")).slug == "harbour"


MALICIOUS = {
    "path-traversal": ({"extra": {"templates/../../evil.html": "x"}}, "“..” is not allowed"),
    "absolute-path": ({"extra": {"/etc/cron.d/evil": "x"}}, "absolute paths are not allowed"),
    "symlink": ({"symlinks": ["static/passwd.css"]}, "symbolic links are not allowed"),
    "python-file": ({"extra": {"static/evil.py": "import os"}}, "file type .py is not allowed"),
    "svg": ({"extra": {"static/logo.svg": "<svg onload=alert(1)>"}}, "file type .svg is not allowed"),
    "stray-top-level": ({"extra": {"setup.py": "x"}}, "only theme.json, templates/ and static/"),
    "forbidden-library": (
        {"extra": {"templates/pages/contact_page.html": "{% load log %}{% get_admin_log 10 as log %}"}},
        "is not a registered tag library",
    ),
    "debug-tag": ({"extra": {"templates/pages/article_page.html": "{% debug %}"}}, "Invalid block tag"),
    "admin-include": (
        {"extra": {"templates/pages/article_page.html": '{% include "wagtailadmin/base.html" %}'}},
        "neither in the theme nor in the default theme",
    ),
    "syntax-error": (
        {"extra": {"templates/pages/article_page.html": "{% if %}"}},
        "templates/pages/article_page.html",
    ),
    "bad-manifest": (
        {
            "manifest": {
                **GOOD_MANIFEST,
                "slug": "Bad Slug",
                "version": "one",
                "tokens": {"brand": "red; } body {"},
            }
        },
        "“slug” must be",
    ),
    "missing-template": (
        {"manifest": {**GOOD_MANIFEST, "templates": ["pages/home_page.html"]}},
        "lists templates/pages/home_page.html, which is not in the zip",
    ),
}


@pytest.mark.parametrize(("kwargs", "message"), MALICIOUS.values(), ids=MALICIOUS.keys())
def test_bad_zips_are_refused_and_nothing_is_written(kwargs, message):
    before = Theme.objects.count()
    with pytest.raises(ThemeZipError) as error:
        install_zip(make_zip(**kwargs))
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert Theme.objects.count() == before
    assert stored_theme_files() == []


def test_every_problem_is_listed_at_once():
    with pytest.raises(ThemeZipError) as error:
        validate_theme_zip(
            make_zip(
                manifest={**GOOD_MANIFEST, "version": "x"},
                extra={"static/a.exe": "MZ", "templates/../x.html": "y"},
            )
        )
    assert len(error.value.problems) >= 2


def test_zip_bombs_and_garbage_are_refused():
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("theme.json", json.dumps(GOOD_MANIFEST))
        archive.writestr("static/bomb.css", "a" * (4 * 1024 * 1024))
    with pytest.raises(ThemeZipError, match="zip bomb"):
        validate_theme_zip(buffer.getvalue())
    with pytest.raises(ThemeZipError, match="not a valid zip"):
        validate_theme_zip(b"PK\x03\x04 definitely not a zip")


def test_a_version_is_installed_once_and_new_versions_sit_beside_it():
    install_zip(make_zip())
    with pytest.raises(ThemeZipError, match="already installed"):
        install_zip(make_zip())
    install_zip(make_zip(manifest={**GOOD_MANIFEST, "version": "1.1"}))
    assert sorted(Theme.objects.filter(slug="harbour").values_list("version", flat=True)) == ["1.0", "1.1"]


def test_a_theme_in_use_cannot_be_uninstalled(make_tenant):
    theme = install_zip(make_zip())
    tenant = make_tenant("alpha", "Alpha Dispensary")
    tenant.theme = theme
    tenant.save()
    with pytest.raises(ThemeInUse, match="Alpha Dispensary"):
        uninstall(theme)
    tenant.theme = Theme.objects.get(slug="sage")
    tenant.save()
    uninstall(theme)
    assert not Theme.objects.filter(slug="harbour").exists()
    assert stored_theme_files() == []
    with pytest.raises(ThemeInUse):
        uninstall(Theme.objects.get(slug="sage"))


def test_install_theme_command(tmp_path, capsys):
    good = tmp_path / "harbour.zip"
    good.write_bytes(make_zip())
    call_command("install_theme", str(good))
    assert "Installed Harbour 1.0" in capsys.readouterr().out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make_zip(extra={"static/x.php": "<?php"}))
    with pytest.raises(CommandError, match="x.php"):
        call_command("install_theme", str(bad))


def test_pip_packages_announce_themes_through_entry_points(tmp_path, monkeypatch, capsys):
    package = tmp_path / "budstack_theme_lagoon"
    (package / "templates").mkdir(parents=True)
    (package / "static").mkdir()
    (package / "__init__.py").write_text("")
    (package / "theme.json").write_text(
        json.dumps({**GOOD_MANIFEST, "slug": "lagoon", "name": "Lagoon", "templates": []})
    )
    dist = tmp_path / "budstack_theme_lagoon-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: budstack-theme-lagoon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[budstack.themes]\nlagoon = budstack_theme_lagoon\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    call_command("install_theme", "lagoon")
    assert "Installed Lagoon 1.0 from package" in capsys.readouterr().out
    theme = Theme.objects.get(slug="lagoon")
    assert theme.source == "package" and theme.location == str(package)
    sys.modules.pop("budstack_theme_lagoon", None)
    with pytest.raises(CommandError, match="neither a zip"):
        call_command("install_theme", "no-such-theme")
