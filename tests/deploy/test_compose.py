"""docker-compose.yml, the Dockerfile and .env.example, checked as documents.

No Docker engine runs on these machines. Debian's docker-compose (v1) validates and
interpolates the file without one; the other tests check what the deployment relies on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if re.match(r"^[A-Z_0-9]+=", line)
)


def test_every_service_the_deployment_needs_is_there():
    assert set(SERVICES) >= {
        "postgres",
        "pgbouncer",
        "redis",
        "web",
        "worker",
        "beat",
        "nginx",
        "backup",
        "migrate",
    }


@pytest.mark.parametrize("name", sorted(set(SERVICES) - {"migrate", "static"}))
def test_long_running_services_restart_and_have_a_healthcheck(name):
    service = SERVICES[name]
    assert service.get("restart") == "unless-stopped"
    check = service.get("healthcheck", {})
    assert not check.get("disable"), name
    assert check.get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_wait_for_healthy_dependencies_and_a_finished_migration(name):
    depends = SERVICES[name]["depends_on"]
    assert depends["pgbouncer"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_web_worker_beat_migrate_backup_share_one_image():
    images = {SERVICES[name]["image"] for name in ("web", "worker", "beat", "migrate", "backup")}
    assert len(images) == 1
    assert all(SERVICES[name]["build"] == "." for name in ("web", "worker", "beat", "migrate"))


def test_web_scales_because_it_publishes_no_host_port():
    # `--scale web=N` fails if each replica tries to bind the same host port.
    assert "ports" not in SERVICES["web"]
    assert "container_name" not in SERVICES["web"]
    assert "gunicorn" in " ".join(SERVICES["web"]["command"])
    assert "healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_app_connects_as_the_non_owner_role_through_pgbouncer():
    env = SERVICES["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://budstack_app:")
    assert "@pgbouncer:6432/" in env["DATABASE_URL"]
    assert env["DATABASE_POOLER"] == "pgbouncer"
    assert env["DATABASE_APP_ROLE"] == "budstack_app"
    assert env["DJANGO_SETTINGS_MODULE"] == "budstack.settings.production"


@pytest.mark.parametrize("name", ["migrate", "backup"])
def test_migrate_and_backup_connect_as_the_owner_straight_to_postgres(name):
    url = SERVICES[name]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://budstack_owner:")
    assert "@postgres:5432/" in url


def test_migrate_is_a_one_shot_that_checks_migrations():
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    command = " ".join(migrate["command"])
    assert "migrate --noinput" in command and "check_migrations" in command


def test_postgres_initialises_the_two_roles_with_the_script_from_the_repo():
    mounts = SERVICES["postgres"]["volumes"]
    assert any(m.startswith("./deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/") for m in mounts)
    script = (ROOT / "deploy/postgres/init-roles.sh").read_text()
    assert "CREATE ROLE budstack_owner LOGIN CREATEDB NOSUPERUSER" in script
    assert "CREATE ROLE budstack_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS" in script
    assert "CREATE DATABASE budstack OWNER budstack_owner" in script


def test_pgbouncer_pools_transactions():
    ini = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    assert any("pgbouncer.ini" in m for m in SERVICES["pgbouncer"]["volumes"])


def test_nginx_mounts_certificates_and_the_repo_config_and_is_the_only_public_door():
    nginx = SERVICES["nginx"]
    published = [name for name, service in SERVICES.items() if service.get("ports")]
    assert published == ["nginx"]
    assert any(m.endswith(":/etc/nginx/certs:ro") for m in nginx["volumes"])
    assert any("budstack.conf.template:/etc/nginx/templates/" in m for m in nginx["volumes"])
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"


def test_beat_is_single_and_the_worker_runs_celery():
    assert "celery -A budstack worker" in " ".join(SERVICES["worker"]["command"])
    assert " ".join(SERVICES["beat"]["command"]).startswith("celery -A budstack beat")
    assert "deploy" not in SERVICES["beat"]


def test_backup_service_runs_the_repo_script_on_a_schedule_with_retention():
    backup = SERVICES["backup"]
    assert "deploy/backup.sh" in " ".join(backup["command"])
    assert "BACKUP_RETENTION_DAYS" in backup["environment"]
    assert any(m.endswith(":/backups") for m in backup["volumes"])


def test_named_volumes_are_declared():
    declared = set(COMPOSE["volumes"])
    for service in SERVICES.values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/", "$")):
                assert source in declared, source


def test_every_variable_compose_interpolates_is_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_0-9]+)", text))
    assert used - set(ENV_EXAMPLE) == set()


def test_every_variable_the_settings_and_gunicorn_read_is_in_env_example():
    sources = [*(ROOT / "budstack/settings").glob("*.py"), ROOT / "deploy/gunicorn.conf.py"]
    used: set[str] = set()
    for path in sources:
        if path.name == "test.py":
            continue
        text = path.read_text()
        used |= set(re.findall(r"env(?:\.[a-z]+)?\(\s*\"([A-Z_0-9]+)\"", text, re.S))
        used |= set(re.findall(r"os\.environ\.get\(\"([A-Z_0-9]+)\"", text))
    assert used - set(ENV_EXAMPLE) == set()


def test_dockerfile_is_multi_stage_slim_non_root_with_static_files_and_a_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)", dockerfile, re.M)
    assert [name for _image, name in stages] == ["build", "runtime"]
    assert all("-slim" in image for image, _name in stages)
    assert "COPY --from=build" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*\n.*\/healthz", dockerfile, re.M)


def test_docker_compose_validates_the_file_as_a_deployment_would_use_it(tmp_path):
    # Debian's docker-compose (installed by scripts/ensure-deploy-tools.sh) validates and
    # interpolates the file without an engine. It runs in a copy of the checkout whose .env is
    # .env.example, as an operator's would be after `cp .env.example .env`.
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is missing: scripts/ensure-deploy-tools.sh installs it"
    for entry in ROOT.iterdir():
        if entry.name not in {".env", ".git", ".venv"}:
            (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    result = subprocess.run(  # noqa: S603
        [compose, "config"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == set(SERVICES)
    # Interpolation reached the services: no ${...} survives in the resolved environment.
    web_env = resolved["services"]["web"]["environment"]
    assert not [name for name, value in web_env.items() if "${" in str(value)]
    assert {"pgdata", "redisdata", "media"} <= set(resolved["volumes"])
