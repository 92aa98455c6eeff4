"""The dependency audit's acceptance file: accepted findings are passed on, stale ones fail.

The audit itself needs PyPI's JSON API or OSV (see docs/security.md); these tests run the
script in dry-run mode, which parses .pip-audit-ignore and prints the pip-audit command.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit-deps.sh"


def _dry_run(tmp_path: Path, ignore_lines: str) -> subprocess.CompletedProcess:
    ignore = tmp_path / "ignore"
    ignore.write_text(ignore_lines)
    env = {**os.environ, "AUDIT_DRY_RUN": "1", "PIP_AUDIT_IGNORE_FILE": str(ignore)}
    return subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603


def test_accepted_findings_are_ignored_and_the_audit_is_strict(tmp_path):
    result = _dry_run(tmp_path, "# comment\n\nGHSA-aaaa-bbbb-cccc  2999-12-31  only the Windows installer\n")
    assert result.returncode == 0, result.stderr
    command = result.stdout.split()
    assert command[:3] == ["pip-audit", "-r", str(SCRIPT.parents[1] / "constraints.txt")]
    # --strict: a dependency the service cannot look up fails instead of passing silently.
    assert "--strict" in command
    assert command[command.index("--ignore-vuln") + 1] == "GHSA-aaaa-bbbb-cccc"


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("PYSEC-2020-1  2020-01-01  was fine once\n", "expired on 2020-01-01"),
        ("PYSEC-2020-1  2999-12-31\n", "needs '<id> <YYYY-MM-DD> <reason>'"),
        ("PYSEC-2020-1  someday  no date\n", "is not a date"),
    ],
)
def test_stale_or_unexplained_acceptances_fail_the_audit(tmp_path, line, complaint):
    result = _dry_run(tmp_path, line)
    assert result.returncode != 0
    assert complaint in result.stderr
