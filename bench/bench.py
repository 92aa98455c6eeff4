"""The benchmark driver `make bench` runs inside scripts/with-services.sh.

Migrates, generates the dataset (idempotent), collects static files, starts gunicorn with
production settings on loopback, then runs wrk against every target twice: with the page
cache off (uncached rendering) and on (cached anonymous pages). Prints one table and
writes it to var/bench/results.md (+ results.json).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", sys.executable)
TENANTS = int(os.environ.get("BENCH_TENANTS", "50"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "1000"))
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "200"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
DOMAIN = "budstack.bench"
STORE = f"bench-{TENANTS // 2:03d}.{DOMAIN}"  # a tenant in the middle of the set
OUT = ROOT / "var" / "bench"

# (label, host, path): the storefront's page types, then API/checkout when present.
PAGES = [
    ("home", STORE, "/"),
    ("about", STORE, "/about/"),
    ("contact", STORE, "/contact/"),
    ("conditions index", STORE, "/conditions/"),
    ("condition", STORE, "/conditions/bench-condition-3/"),
    ("wire index", STORE, "/the-wire/"),
    ("wire page 5", STORE, "/the-wire/?page=5"),
    ("article", STORE, "/the-wire/bench-article-7/"),
    ("wire feed", STORE, "/the-wire/feed/"),
    ("catalog", STORE, "/products/"),
    ("catalog filtered", STORE, "/products/?strain_type=indica&form=oil"),
    ("product", STORE, "/products/bench-product-42/"),
    ("search", STORE, "/search/?q=clinic+sleep"),
    ("sitemap", STORE, "/sitemap.xml"),
    ("api products", STORE, "/api/v1/products?page=2"),
]
CACHED = ["home", "about", "conditions index", "article", "wire index", "catalog", "search", "sitemap"]


def env_for(database_url: str, page_cache: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="budstack.settings.production",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url,
        DATABASE_APP_ROLE="budstack_app",
        SECRET_KEY=_KEYS.setdefault("secret", secrets.token_urlsafe(64)),
        FIELD_ENCRYPTION_KEYS=_KEYS.setdefault("fernet", Fernet.generate_key().decode()),
        ALLOWED_HOSTS=f".{DOMAIN},{DOMAIN},127.0.0.1",
        BUDSTACK_DOMAIN=DOMAIN,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        PAGE_CACHE_SECONDS=str(page_cache),
        BUDSTACK_BENCH="1",
        LOG_LEVEL="WARNING",
        # wrk is one address: at the production rates most of its API requests would be
        # answered 429, measuring the throttle rather than the endpoint.
        API_THROTTLE_ANON="1000000/min",
        API_THROTTLE_TENANT="1000000/min",
    )
    return env


_KEYS: dict[str, str] = {}


def manage(*args: str, env: dict[str, str], quiet: bool = False) -> None:
    log = open(OUT / "manage.log", "a") if quiet else None  # noqa: SIM115 - closed below
    try:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=log)
    finally:
        if log:
            log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "budstack.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if fetch(self.port, DOMAIN, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("bench: gunicorn did not answer /healthz within 60s")

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        pids.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by all workers."""
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class RssSampler(threading.Thread):
    """Largest worker RSS (MB) seen during the current target, sampled every 0.25 s."""

    def __init__(self, server: Gunicorn):
        super().__init__(daemon=True)
        self.server, self.peak, self.running = server, 0.0, True

    def run(self) -> None:
        while self.running:
            for pid in self.server.workers():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                match = re.search(r"VmRSS:\s+(\d+) kB", status)
                if match:
                    self.peak = max(self.peak, int(match.group(1)) / 1024)
            time.sleep(0.25)


def wrk(port: int, host: str, path: str) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / "wrk_report.lua"), "-H", f"Host: {host}",
               f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    data = json.loads(output.split("BENCH ", 1)[1].splitlines()[0])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def measure(server: Gunicorn, label: str, host: str, path: str) -> dict:
    status, headers, _ = fetch(server.port, host, path)
    if status == 404:
        return {"label": label, "path": path, "skipped": "404: not on this branch"}
    queries = [int(fetch(server.port, host, path)[1].get("X-SQL-Queries", "-1")) for _ in range(3)]
    sampler = RssSampler(server)
    sampler.start()
    cpu_before = server.cpu_seconds()
    result = wrk(server.port, host, path)
    cpu = server.cpu_seconds() - cpu_before
    sampler.running = False
    sampler.join()
    result.update(label=label, path=path, status=status, queries=queries[-1], rss_mb=sampler.peak)
    # Load-independent: the machine is shared, so req/s also measures the neighbours.
    result["cpu_ms"] = 1000 * cpu / max(result["requests"], 1)
    print(f"  {label:<28} {result['rps']:8.1f} req/s  p95 {result['p95'] / 1000:7.1f} ms", file=sys.stderr)
    return result


def table(results: list[dict], minimal_rps: float) -> str:
    lines = [
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | worker CPU ms/req "
        "| peak worker RSS MB | × minimal view |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['label']} | – | – | – | – | – | – | – | – | {r['skipped']} |")
            continue
        errors = r["socket_errors"] + r["http_errors"]
        lines.append(
            f"| {r['label']} | {r['rps']:.1f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | "
            f"{r['p99'] / 1000:.1f} | {errors} | {r['queries']} | {r['cpu_ms']:.1f} | {r['rss_mb']:.0f} | "
            f"{r['rps'] / minimal_rps:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "manage.log").write_text("")
    started = time.monotonic()
    owner = env_for(os.environ["DATABASE_URL"], 0)
    print("bench: migrating", file=sys.stderr)
    manage("migrate", "--noinput", "--skip-checks", env=owner, quiet=True)
    print(f"bench: dataset {TENANTS} tenants x {PRODUCTS} products x {ARTICLES} articles", file=sys.stderr)
    manage("generate_bench_data", f"--tenants={TENANTS}", f"--products={PRODUCTS}", f"--articles={ARTICLES}",
           env=owner, quiet=True)  # fmt: skip
    print("bench: collecting static files", file=sys.stderr)
    manage("collectstatic", "--noinput", "-v0", env=owner, quiet=True)
    setup = time.monotonic() - started

    results: list[dict] = []
    rss_trend: list[float] = []
    for phase, page_cache in (("uncached", 0), ("cached", 300)):
        print(f"bench: gunicorn ({WORKERS} sync workers), page cache {phase}", file=sys.stderr)
        server = Gunicorn(env_for(os.environ["APP_DATABASE_URL"], page_cache))
        try:
            if phase == "uncached":
                _, _, home = fetch(server.port, STORE, "/")
                css = re.search(rb'href="(/static/[^"]+\.css)"', home)
                static_path = css.group(1).decode() if css else "/static/wagtailadmin/css/core.css"
                static_headers = fetch(server.port, DOMAIN, static_path)[1]
                results.append(measure(server, "static file (reference)", DOMAIN, static_path))
                results[-1]["cache_control"] = static_headers.get("Cache-Control", "")
                results.append(measure(server, "minimal view (reference)", DOMAIN, "/_bench/minimal"))
                rss_trend.append(results[-1]["rss_mb"])
                targets = PAGES
            else:
                targets = [page for page in PAGES if page[0] in CACHED]
            for label, host, path in targets:
                for _ in range(2):  # warm this worker's caches and the page cache
                    fetch(server.port, host, path)
                name = label if phase == "uncached" else f"{label} (cached)"
                results.append(measure(server, name, host, path))
            rss_trend.append(max(r.get("rss_mb", 0) for r in results[-3:]))
        finally:
            server.stop()

    minimal_rps = next(r["rps"] for r in results if r["label"].startswith("minimal"))
    report = table(results, minimal_rps)
    static = next(r for r in results if r["label"].startswith("static"))
    summary = (
        f"\nDataset {TENANTS} tenants x {PRODUCTS} products x {ARTICLES} articles; wrk -t2 -c{CONNECTIONS} "
        f"-d{DURATION}s per target; gunicorn {WORKERS} sync workers, production settings; "
        f"setup {setup:.0f}s, total {time.monotonic() - started:.0f}s.\n"
        f"Static file Cache-Control: {static.get('cache_control', '?')}\n"
        f"Worker RSS at the minimal view {rss_trend[0]:.0f} MB, end of run {rss_trend[-1]:.0f} MB.\n"
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.\n"
    )
    print(report + "\n" + summary)
    (OUT / "results.md").write_text(report + "\n" + summary)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
