"""The production chain, from Debian packages and the repository's configuration files.

nginx (deploy/nginx, TLS, rate limits, headers, gzip, static files) -> gunicorn
(deploy/gunicorn.conf.py, production settings) -> pgbouncer (deploy/pgbouncer, transaction
pooling) -> PostgreSQL as the non-owner role under RLS; a Celery worker and beat on Redis.
The same files the containers use, with ports and paths filled in.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from budstack.demo_content import SCHEDULED_ARTICLE
from tests.deploy.conftest import ROOT, Database, free_port, manage, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.deploy]

NGINX = "/usr/sbin/nginx"
PGBOUNCER = "/usr/sbin/pgbouncer"
IS_ROOT = os.geteuid() == 0
BOUNCER_ADMIN_PASSWORD = "chain-test-admin"  # noqa: S105


def render(template: str, values: dict[str, str]) -> str:
    """envsubst for ``${NAME}`` (what the nginx image does); nginx's own ``$vars`` stay."""
    return re.sub(r"\$\{([A-Z_0-9]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def wait_for(check, timeout: float, what: str, procs: list[subprocess.Popen] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"{what}: {proc.args[0]} exited with {proc.returncode}")
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Chain:
    dir: Path
    https: str
    http: str
    gunicorn: str
    bouncer_port: int
    database: Database
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def log(self, name: str) -> str:
        return (self.dir / f"{name}.log").read_text(errors="replace")

    @contextmanager
    def client(self, *age_checked: str) -> Iterator[httpx.Client]:
        """An HTTPS client for the platform host; it answers the demo's age check of each
        tenant in ``age_checked`` as a visitor would (the session then lets it through)."""
        with httpx.Client(
            base_url=self.https, verify=False, timeout=30, headers={"Host": "budstack.test"}
        ) as client:
            for slug in age_checked:
                form = client.get(f"/store/{slug}/age-check/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
                answer = client.post(
                    f"/store/{slug}/age-check/",
                    data={"csrfmiddlewaretoken": token, "confirm": "yes"},
                    headers={
                        "Origin": "https://budstack.test",
                        "Referer": f"https://budstack.test/store/{slug}/",
                    },
                )
                assert answer.status_code == 302, answer.text[:300]
            yield client


def _start(chain: Chain, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    log = (chain.dir / f"{name}.log").open("w")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    chain.procs[name] = proc
    return proc


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    for proc in reversed(procs.values()):
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _pgbouncer_config(chain: Chain) -> Path:
    ini = configparser.ConfigParser(comment_prefixes=(";",), interpolation=None)
    ini.optionxform = str
    ini.read(ROOT / "deploy/pgbouncer/pgbouncer.ini")
    db = chain.database
    # Only the network location changes; pooling settings are the repository's.
    ini["databases"]["budstack"] = f"host={db.host} port={db.port} dbname={db.name}"
    ini["pgbouncer"].update(
        listen_addr="127.0.0.1",
        listen_port=str(chain.bouncer_port),
        auth_file=str(chain.dir / "userlist.txt"),
        logfile="",
        pidfile="",
    )
    (chain.dir / "userlist.txt").write_text(
        f'"{db.app_user}" "{db.app_password}"\n"pgbouncer_admin" "{BOUNCER_ADMIN_PASSWORD}"\n'
    )
    path = chain.dir / "pgbouncer.ini"
    with path.open("w") as fh:
        ini.write(fh)
    return path


def _nginx_config(
    chain: Chain, static_root: Path, https_port: int, http_port: int, gunicorn_port: int
) -> Path:
    conf = chain.dir / "conf"
    conf.mkdir()
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (chain.dir / temp).mkdir(mode=0o777)
        os.chmod(chain.dir / temp, 0o777)  # noqa: S103 - nginx workers run as nobody under root
    subprocess.run(  # noqa: S603
        [shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=budstack.test",
         "-addext", "subjectAltName=DNS:budstack.test,DNS:*.budstack.test",
         "-keyout", str(conf / "privkey.pem"), "-out", str(conf / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = render(
        (ROOT / "deploy/nginx/budstack.conf.template").read_text(),
        {
            "BUDSTACK_DOMAIN": "budstack.test",
            "NGINX_HTTP_PORT": f"127.0.0.1:{http_port}",
            "NGINX_HTTPS_PORT": f"127.0.0.1:{https_port}",
            "WEB_UPSTREAM": f"127.0.0.1:{gunicorn_port}",
            "TLS_CERTIFICATE": str(conf / "fullchain.pem"),
            "TLS_CERTIFICATE_KEY": str(conf / "privkey.pem"),
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(chain.dir / "media"),
        },
    )
    (conf / "budstack.conf").write_text(site)
    shutil.copy(ROOT / "deploy/nginx/budstack_proxy.conf", conf / "budstack_proxy.conf")
    temps = "\n".join(
        f"  {t}_temp_path {chain.dir / t.split('_')[0]};"
        for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    temps = temps.replace(str(chain.dir / "client"), str(chain.dir / "body"))
    main = f"""# The nginx image's nginx.conf, reduced: the site file is the repository's.
{"user nobody nogroup;" if IS_ROOT else ""}
worker_processes 1;
pid {chain.dir / "nginx.pid"};
error_log {chain.dir / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
{temps}
  include budstack.conf;
}}
"""
    (conf / "nginx.conf").write_text(main)
    return conf / "nginx.conf"


@pytest.fixture(scope="module")
def chain(demo_database: Database) -> Iterator[Chain]:
    for program in (NGINX, PGBOUNCER):
        if not os.access(program, os.X_OK):
            pytest.fail(f"{program} is missing: run scripts/ensure-deploy-tools.sh (make test does)")
    base = Path(tempfile.mkdtemp(prefix="budstack-chain-", dir="/tmp"))  # noqa: S108
    os.chmod(base, 0o755)  # noqa: S103 - pgbouncer runs as postgres, nginx workers as nobody
    https_port, http_port, gunicorn_port, bouncer_port = (free_port() for _ in range(4))
    chain = Chain(
        dir=base,
        https=f"https://127.0.0.1:{https_port}",
        http=f"http://127.0.0.1:{http_port}",
        gunicorn=f"http://127.0.0.1:{gunicorn_port}",
        bouncer_port=bouncer_port,
        database=demo_database,
    )
    redis = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    app_url = (
        f"postgres://{demo_database.app_user}:{demo_database.app_password}@127.0.0.1:{bouncer_port}/budstack"
    )
    static_root = base / "static"
    (base / "media").mkdir()
    env = production_env(
        app_url,
        DATABASE_POOLER="pgbouncer",
        REDIS_URL=f"{redis}/12",
        CELERY_BROKER_URL=f"{redis}/13",
        CELERY_TASK_ALWAYS_EAGER="false",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(base / "media"),
        GUNICORN_BIND=f"127.0.0.1:{gunicorn_port}",
        GUNICORN_WORKERS="2",
        PROMETHEUS_MULTIPROC_DIR=str(base / "prometheus"),
        PUBLISH_SCHEDULED_INTERVAL="1",
        CONN_MAX_AGE="60",
    )
    try:
        collected = manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        assert collected.returncode == 0, collected.stderr[-3000:]

        bouncer_ini = _pgbouncer_config(chain)
        run_as = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
        bouncer = _start(chain, "pgbouncer", [*run_as, PGBOUNCER, str(bouncer_ini)])
        nginx_conf = _nginx_config(chain, static_root, https_port, http_port, gunicorn_port)
        tested = subprocess.run(  # noqa: S603
            [NGINX, "-t", "-p", str(base), "-c", str(nginx_conf)], capture_output=True, text=True
        )
        assert tested.returncode == 0, tested.stderr

        gunicorn = _start(
            chain,
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "budstack.wsgi"],
            env,
        )
        worker = _start(
            chain,
            "worker",
            [sys.executable, "-m", "celery", "-A", "budstack", "worker", "--pool=solo", "-l", "INFO"],
            env,
        )
        beat = _start(
            chain,
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "budstack",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(base / "beat-schedule"),
            ],
            env,
        )
        nginx = _start(chain, "nginx", [NGINX, "-p", str(base), "-c", str(nginx_conf), "-g", "daemon off;"])
        procs = [bouncer, gunicorn, worker, beat, nginx]
        wait_for(lambda: httpx.get(f"{chain.gunicorn}/healthz").status_code == 200, 90, "gunicorn", procs)
        wait_for(
            lambda: httpx.get(f"{chain.https}/healthz", verify=False).status_code == 200,
            30,
            "nginx",
            procs,
        )
        wait_for(lambda: "ready." in chain.log("worker"), 90, "the celery worker", procs)
        yield chain
    finally:
        _stop(chain.procs)
        shutil.rmtree(base, ignore_errors=True)


def test_the_demo_storefront_is_served_through_nginx_gunicorn_pgbouncer_and_postgres(chain):
    with chain.client("healingbuds", "greenleaf") as client:
        home = client.get("/store/healingbuds/")
        products = client.get("/store/healingbuds/products/")
        other = client.get("/store/greenleaf/")
    assert home.status_code == 200, home.text[:500]
    assert "Healing Buds" in home.text
    assert products.status_code == 200
    assert other.status_code == 200 and "Greenleaf Clinic" in other.text
    # Each tenant's page shows only its own name: RLS and scoping held behind the pooler.
    assert "Greenleaf Clinic" not in home.text


def test_answers_carry_security_headers_once_and_a_strict_csp_the_theme_respects(chain):
    with chain.client("healingbuds") as client:
        home = client.get("/store/healingbuds/")
    headers = home.headers
    assert headers.get_list("strict-transport-security") == ["max-age=31536000; includeSubDomains; preload"]
    assert headers.get_list("x-content-type-options") == ["nosniff"]
    assert "camera=()" in headers["permissions-policy"]
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp
    # The theme's inline style (design tokens) carries this response's nonce.
    assert f'<style nonce="{nonce}">' in home.text
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", home.text)
    assert all(f'nonce="{nonce}"' in tag for tag in inline_scripts)


def test_request_ids_flow_from_nginx_to_the_json_logs(chain):
    with chain.client("healingbuds") as client:
        home = client.get("/store/healingbuds/about/")
    request_id = home.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, kept by Django
    deadline = time.monotonic() + 10
    entry = None
    while entry is None and time.monotonic() < deadline:
        for line in chain.log("gunicorn").splitlines():
            if line.startswith("{") and request_id in line:
                entry = json.loads(line)
        time.sleep(0.2)
    assert entry is not None, "no JSON log line for the request"
    assert entry["tenant"] == "healingbuds"
    assert entry["status"] == 200
    assert entry["logger"] == "budstack.request"


def test_static_files_are_served_by_nginx_cached_and_compressed(chain):
    with chain.client("healingbuds") as client:
        home = client.get("/store/healingbuds/", headers={"Accept-Encoding": "gzip"})
        css_url = re.search(r'<link rel="stylesheet" href="([^"]+\.css)"', home.text).group(1)
        css = client.get(css_url, headers={"Accept-Encoding": "gzip"})
    assert home.headers["content-encoding"] == "gzip"
    assert css.status_code == 200
    assert re.search(r"\.[0-9a-f]{12}\.css$", css_url), "collectstatic's hashed name"
    assert css.headers["cache-control"] == "max-age=315360000"
    assert css.headers["content-encoding"] == "gzip"
    assert "x-request-id" not in css.headers  # nginx answered, gunicorn never saw it


def test_plain_http_redirects_to_https_except_the_health_probe(chain):
    with httpx.Client(base_url=chain.http, headers={"Host": "budstack.test"}) as client:
        page = client.get("/store/healingbuds/")
        health = client.get("/healthz")
    assert page.status_code == 301
    assert page.headers["location"] == "https://budstack.test/store/healingbuds/"
    assert health.status_code == 200


def test_sign_in_is_rate_limited_by_nginx(chain):
    with chain.client() as client:
        codes = [client.get("/store/healingbuds/auth/login/").status_code for _ in range(10)]
    assert codes[0] == 200
    assert 429 in codes


def test_metrics_are_internal_and_count_requests_by_tenant(chain):
    with chain.client("healingbuds") as client:
        client.get("/store/healingbuds/")
        public = client.get("/metrics")
    internal = httpx.get(f"{chain.gunicorn}/metrics")
    assert public.status_code == 404
    assert internal.status_code == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(internal.text)
        for sample in family.samples
    }

    def value(name: str, **labels: str) -> float | None:
        return samples.get((name, tuple(sorted(labels.items()))))

    assert value("budstack_http_requests_total", tenant="healingbuds", method="GET", status="200") >= 1
    assert value("budstack_http_request_duration_seconds_count", tenant="healingbuds", method="GET") >= 1
    assert sum(v for (name, _labels), v in samples.items() if name == "budstack_tenants") == 2
    assert any(name == "budstack_db_connections" for name, _labels in samples)
    assert value("budstack_celery_queue_depth", queue="default") is not None


def test_pgbouncer_pools_the_application_transactions(chain):
    env = {**os.environ, "PGPASSWORD": BOUNCER_ADMIN_PASSWORD}
    result = subprocess.run(  # noqa: S603
        [shutil.which("psql") or "psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(chain.bouncer_port), "-U", "pgbouncer_admin",
         "-d", "pgbouncer", "-c", "SHOW POOLS"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    pools = [row.split("|") for row in result.stdout.splitlines()]
    budstack = [row for row in pools if row[0] == "budstack"]
    assert budstack and budstack[0][1] == chain.database.app_user
    assert budstack[0][-1] == "transaction"


def test_beat_schedules_and_the_worker_publishes_a_scheduled_article(chain):
    slug = SCHEDULED_ARTICLE[0]
    path = f"/store/healingbuds/the-wire/{slug}/"
    with chain.client("healingbuds") as client:
        assert client.get(path).status_code == 404
        # Given the scheduled article's go-live time has passed...
        with chain.database.owner_connect() as conn:
            conn.execute(
                """
                UPDATE wagtailcore_revision SET approved_go_live_at = now() - interval '1 minute',
                    content = jsonb_set(content::jsonb, '{go_live_at}',
                        to_jsonb(to_char((now() - interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
                WHERE approved_go_live_at IS NOT NULL
                """
            )
            conn.execute(
                "UPDATE wagtailcore_page SET go_live_at = now() - interval '1 minute' WHERE go_live_at > now()"
            )
        # ...beat sends publish_scheduled, the worker runs it, and nginx serves the article.
        wait_for(lambda: client.get(path).status_code == 200, 60, "the scheduled article to go live")
    assert "Sending due task publish-scheduled-pages" in chain.log("beat")
    assert re.search(r"Task pages\.publish_scheduled\[[0-9a-f-]+\] succeeded", chain.log("worker"))
