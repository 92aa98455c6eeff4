"""The benchmark driver `make bench` runs inside scripts/with-services.sh.

Migrates, generates the dataset (idempotent), collects static files, starts gunicorn with
production settings on loopback, then runs wrk against the targets in three phases: the
page cache off (uncached rendering, page fragments warm; then the checkout race), the
fragment cache off as well for the main page types (cold rendering), and the page cache
on (cached anonymous pages). Prints one table and writes it to var/bench/results.md
(+ results.json).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus, urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", sys.executable)
TENANTS = int(os.environ.get("BENCH_TENANTS", "50"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "1000"))
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "200"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
# The checkout race: buyers (each one unit) for fewer units than buyers, over several rounds.
CHECKOUT_BUYERS = int(os.environ.get("BENCH_CHECKOUT_BUYERS", "50"))
CHECKOUT_STOCK = int(os.environ.get("BENCH_CHECKOUT_STOCK", "30"))
CHECKOUT_ROUNDS = int(os.environ.get("BENCH_CHECKOUT_ROUNDS", "3"))
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
    # A question nobody asked before on every request (bench/wrk_search.lua): no kept page.
    ("search (new questions)", STORE, "/search/?q=relief+dose"),
    ("sitemap", STORE, "/sitemap.xml"),
    ("api products", STORE, "/api/v1/products?page=2"),
]
# `make bench-scale`: the targets whose cost could grow with the number of tenants.
SCALE_TARGETS = ["catalog", "catalog filtered", "search", "api products"]
SCALE_TENANTS = int(os.environ.get("BENCH_SCALE_TENANTS", str(TENANTS * 10)))
CACHED = ["home", "about", "conditions index", "article", "wire index", "catalog", "search", "sitemap"]
# Rendered with the fragment cache off too: every part of the page built on every request.
COLD = ["home", "conditions index", "condition", "wire index", "article", "catalog", "search"]


def env_for(database_url: str, page_cache: int, fragments: int = 300) -> dict[str, str]:
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
        FRAGMENT_CACHE_SECONDS=str(fragments),
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


WRK_THREADS = 2


def wrk(port: int, host: str, path: str, script: str = "wrk_report.lua", args: tuple[str, ...] = ()) -> dict:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / script), "-H", f"Host: {host}",
               f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    data = json.loads(output.split("BENCH ", 1)[1].splitlines()[0])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def search_questions() -> Path:
    """Questions for "search (new questions)", none asked twice within a run: two or three
    words of the generated texts (broad: most documents match) alternating with a word and
    a number (narrow: about one product's name), in a shuffled but fixed order."""
    from itertools import permutations

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a script from bench/: the project's modules
    from pages.bench_text import WORDS

    broad = [" ".join(words) for n in (2, 3) for words in permutations(WORDS, n)]
    narrow = [f"{word} {number}" for number in range(PRODUCTS) for word in WORDS]
    random.Random(13).shuffle(broad)  # noqa: S311 - a fixed order, not a secret
    random.Random(17).shuffle(narrow)  # noqa: S311
    mixed = [question for pair in zip(broad, narrow, strict=False) for question in pair]
    path = OUT / "search-questions.txt"
    path.write_text("".join(quote_plus(question) + "\n" for question in mixed))
    return path


# Targets whose requests wrk varies with a script: label -> (script, its arguments).
VARIED = {"search (new questions)": ("wrk_search.lua", lambda: (str(search_questions()), str(WRK_THREADS)))}


def measure(server: Gunicorn, label: str, host: str, path: str) -> dict:
    status, headers, _ = fetch(server.port, host, path)
    if status == 404:
        return {"label": label, "path": path, "skipped": "404: not on this branch"}
    queries = [int(fetch(server.port, host, path)[1].get("X-SQL-Queries", "-1")) for _ in range(3)]
    sampler = RssSampler(server)
    sampler.start()
    cpu_before = server.cpu_seconds()
    script, args = VARIED.get(label, ("wrk_report.lua", tuple))
    result = wrk(server.port, host, path, script, args())
    cpu = server.cpu_seconds() - cpu_before
    sampler.running = False
    sampler.join()
    result.update(label=label, path=path, status=status, queries=queries[-1], rss_mb=sampler.peak)
    # Load-independent: the machine is shared, so req/s also measures the neighbours.
    result["cpu_ms"] = 1000 * cpu / max(result["requests"], 1)
    print(f"  {label:<28} {result['rps']:8.1f} req/s  p95 {result['p95'] / 1000:7.1f} ms", file=sys.stderr)
    return result


ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Bench Street",
    "line2": "",
    "city": "London",
    "postcode": "N1 9GU",
}
CHECKOUT_LABEL = f"checkout ({CHECKOUT_BUYERS} concurrent)"


def manage_json(*args: str, env: dict[str, str]) -> dict:
    """Run a management command that prints one JSON document (its last line) on stdout."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def request(port: int, host: str, method: str, path: str, *, cookies: dict[str, str],
            form: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:  # fmt: skip
    """One HTTP request, redirects not followed (a placed order answers 302)."""
    headers = {"Host": host, "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


class Ledger:
    """What the database says was sold: read as the tables' owner with the audited platform
    bypass (as migrations do), independently of the application code under test."""

    def __init__(self, database_url: str):
        import psycopg

        self.connection = psycopg.connect(database_url, autocommit=True)
        self.connection.execute("SELECT set_config('app.bypass_rls', 'on', false)")

    def stock(self, product_id: int) -> int:
        return self.connection.execute(
            "SELECT stock FROM commerce_product WHERE id = %s", [product_id]
        ).fetchone()[0]

    def last_order_id(self) -> int:
        return self.connection.execute("SELECT coalesce(max(id), 0) FROM commerce_order").fetchone()[0]

    def sold_since(self, product_id: int, after_order_id: int) -> tuple[int, int]:
        """(orders, units) of ``product_id`` in orders created after ``after_order_id``."""
        row = self.connection.execute(
            "SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0) FROM commerce_order o "
            "JOIN commerce_orderline l ON l.order_id = o.id WHERE o.id > %s AND l.product_id = %s",
            [after_order_id, product_id],
        ).fetchone()
        return int(row[0]), int(row[1])

    def close(self) -> None:
        self.connection.close()


def _outcome(status: int, headers: http.client.HTTPMessage, body: bytes) -> str:
    if status == 302 and "/checkout/done/" in headers.get("Location", ""):
        return "completed"
    # The checkout page again, with the reason, is the answer a refused buyer must see.
    if status == 409 and b"Insufficient stock" in body:
        return "refused"
    return f"error {status}"


def checkout_round(server: Gunicorn, owner_env: dict[str, str], ledger: Ledger, number: int) -> dict:
    """Reset stock and carts, open each buyer's checkout page, then fire every "Place order" at once."""
    race = manage_json("prepare_bench_checkout", f"--tenant={STORE.split('.')[0]}", f"--buyers={CHECKOUT_BUYERS}",
                       f"--stock={CHECKOUT_STOCK}", env=owner_env)  # fmt: skip
    product_id, stock = race["product_id"], race["stock"]
    forms: list[tuple[dict[str, str], dict[str, str]]] = []
    for index, buyer in enumerate(race["buyers"]):
        cookies = {race["session_cookie"]: buyer["session"]}
        # The page the patient has open before "Place order"; it also hands out the CSRF cookie.
        status, headers, body = request(server.port, STORE, "GET", "/checkout/", cookies=cookies)
        token = re.search(rf"{race['csrf_cookie']}=([A-Za-z0-9]+)", headers.get("Set-Cookie", ""))
        if status != 200 or token is None or b"Bench Last Batch" not in body:
            raise SystemExit(
                f"bench: buyer {buyer['email']} does not see a checkout with the product ({status})"
            )
        cookies[race["csrf_cookie"]] = token.group(1)
        form = {**ADDRESS, "country": "GB", "step": "place", "csrfmiddlewaretoken": token.group(1),
                "idempotency_key": f"bench-round-{number}-buyer-{index}-{time.time_ns()}"}  # fmt: skip
        forms.append((cookies, form))
    last_order = ledger.last_order_id()

    barrier = threading.Barrier(len(forms) + 1)
    samples: list[dict] = [{} for _ in forms]

    def buy(index: int, cookies: dict[str, str], form: dict[str, str]) -> None:
        barrier.wait(timeout=60)
        started = time.perf_counter()
        try:
            status, headers, body = request(
                server.port, STORE, "POST", "/checkout/", cookies=cookies, form=form
            )
            outcome, queries = _outcome(status, headers, body), int(headers.get("X-SQL-Queries", "-1"))
        except OSError as error:  # a reset or timed-out connection is an error, not a crash
            outcome, queries = f"error {type(error).__name__}", -1
        samples[index] = {
            "ms": 1000 * (time.perf_counter() - started),
            "outcome": outcome,
            "queries": queries,
        }

    threads = [threading.Thread(target=buy, args=(i, *pair)) for i, pair in enumerate(forms)]
    for thread in threads:
        thread.start()
    cpu_before = server.cpu_seconds()
    barrier.wait(timeout=60)
    fired = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    wall = time.perf_counter() - fired
    cpu = server.cpu_seconds() - cpu_before

    remaining = ledger.stock(product_id)
    orders, units = ledger.sold_since(product_id, last_order)
    completed = sum(1 for s in samples if s["outcome"] == "completed")
    refused = sum(1 for s in samples if s["outcome"] == "refused")
    result = {
        "round": number, "stock": stock, "remaining": remaining, "orders": orders, "units": units,
        "completed": completed, "refused": refused, "errors": len(samples) - completed - refused,
        # Sold more than there was, or stock that moved by other than what was sold.
        "oversold": units > stock or remaining < 0 or stock - remaining != units,
        # Every buyer told "ordered" has exactly one order (one unit each), and no one else has.
        "agrees": orders == units == completed, "wall_s": wall, "cpu_s": cpu, "samples": samples,
    }  # fmt: skip
    name = f"round {number}" if number else "warm-up round"
    print(f"  {CHECKOUT_LABEL} {name}: {completed} ordered, {refused} refused, "
          f"{result['errors']} errors, stock {stock} -> {remaining}, {orders} orders in the database, "
          f"{wall * 1000:.0f} ms for all", file=sys.stderr)  # fmt: skip
    return result


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (wrk's convention)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def measure_checkout(server: Gunicorn, owner_env: dict[str, str]) -> dict:
    ledger = Ledger(os.environ["DATABASE_URL"])
    sampler = RssSampler(server)
    sampler.start()
    try:
        # Round 0 warms each worker's order path (imports, the broker connection the
        # confirmation email is queued on): checked like the others but not in the figures,
        # as the wrk targets get warm-up requests too.
        warmup = checkout_round(server, owner_env, ledger, 0)
        rounds = [checkout_round(server, owner_env, ledger, n) for n in range(1, CHECKOUT_ROUNDS + 1)]
    finally:
        sampler.running = False
        sampler.join()
        ledger.close()
    samples = [s for r in rounds for s in r["samples"]]
    latencies = [s["ms"] for s in samples]
    completed_queries = [s["queries"] for s in samples if s["outcome"] == "completed"]
    requests = len(samples)
    return {
        "label": CHECKOUT_LABEL, "path": "POST /checkout/", "checkout": True, "rounds": rounds,
        "buyers": CHECKOUT_BUYERS, "stock": CHECKOUT_STOCK, "requests": requests,
        "rps": requests / sum(r["wall_s"] for r in rounds),
        "p50": percentile(latencies, 0.50) * 1000, "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000, "max": max(latencies) * 1000,
        "completed": sum(r["completed"] for r in rounds), "refused": sum(r["refused"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "oversold": any(r["oversold"] for r in [warmup, *rounds]),
        "agrees": all(r["agrees"] for r in [warmup, *rounds]),
        "socket_errors": 0, "http_errors": sum(r["errors"] for r in rounds),
        "queries": int(statistics.median(completed_queries)) if completed_queries else -1,
        "cpu_ms": 1000 * sum(r["cpu_s"] for r in rounds) / requests, "rss_mb": sampler.peak,
        "error_outcomes": sorted({s["outcome"] for s in samples} - {"completed", "refused"}),
        "warmup": {key: value for key, value in warmup.items() if key != "samples"},
    }  # fmt: skip


def checkout_table(result: dict) -> str:
    r = result
    return "\n".join([
        "| target | rounds × buyers | stock per round | p50 ms | p95 ms | p99 ms | max ms | completed "
        "| refused (409) | errors | oversold | orders = answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| {r['label']} | {len(r['rounds'])} × {r['buyers']} | {r['stock']} | {r['p50'] / 1000:.1f} | "
        f"{r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} | {r['max'] / 1000:.1f} | {r['completed']} | "
        f"{r['refused']} | {r['errors']} | {'YES' if r['oversold'] else 'no'} | "
        f"{'yes' if r['agrees'] else 'NO'} |",
    ])  # fmt: skip


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
        if r.get("checkout"):
            note = (f"max {r['max'] / 1000:.0f} ms; {r['completed']} ordered, {r['refused']} refused; "
                    f"oversold: {'YES' if r['oversold'] else 'no'}")  # fmt: skip
        else:
            note = f"{r['rps'] / minimal_rps:.2f}"
        lines.append(
            f"| {r['label']} | {r['rps']:.1f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | "
            f"{r['p99'] / 1000:.1f} | {errors} | {r['queries']} | {r['cpu_ms']:.1f} | {r['rss_mb']:.0f} | "
            f"{note} |"
        )
    return "\n".join(lines)


def prepare(command: str) -> dict[str, str]:
    """What both commands start from: a fresh log, a migrated database, collected static files.
    Returns the environment of the tables' owner."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "manage.log").write_text("")
    owner = env_for(os.environ["DATABASE_URL"], 0)
    print(f"{command}: migrating", file=sys.stderr)
    manage("migrate", "--noinput", "--skip-checks", env=owner, quiet=True)
    print(f"{command}: collecting static files", file=sys.stderr)
    manage("collectstatic", "--noinput", "-v0", env=owner, quiet=True)
    return owner


def main() -> int:
    started = time.monotonic()
    owner = prepare("bench")
    print(f"bench: dataset {TENANTS} tenants x {PRODUCTS} products x {ARTICLES} articles", file=sys.stderr)
    generate(TENANTS, owner)
    setup = time.monotonic() - started

    results: list[dict] = []
    rss_trend: list[float] = []
    # uncached: no full-page cache, fragments on (production when the page cache misses, e.g.
    # signed-in visitors); cold: fragments off as well; cached: the full-page cache on.
    for phase, page_cache, fragments in (("uncached", 0, 300), ("cold", 0, 0), ("cached", 300, 300)):
        print(f"bench: gunicorn ({WORKERS} sync workers), {phase}", file=sys.stderr)
        server = Gunicorn(env_for(os.environ["APP_DATABASE_URL"], page_cache, fragments))
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
                targets = [page for page in PAGES if page[0] in (COLD if phase == "cold" else CACHED)]
            for label, host, path in targets:
                for _ in range(2):  # warm this worker's caches and the page cache
                    fetch(server.port, host, path)
                name = label if phase == "uncached" else f"{label} ({phase})"
                results.append(measure(server, name, host, path))
            if phase == "uncached" and CHECKOUT_ROUNDS > 0:
                print(f"bench: {CHECKOUT_LABEL}, {CHECKOUT_ROUNDS} rounds", file=sys.stderr)
                results.append(measure_checkout(server, owner))
            rss_trend.append(max(r.get("rss_mb", 0) for r in results[-3:]))
        finally:
            server.stop()

    minimal_rps = next(r["rps"] for r in results if r["label"].startswith("minimal"))
    report = table(results, minimal_rps)
    checkout = next((r for r in results if r.get("checkout")), None)
    if checkout:
        report += "\n\n" + checkout_table(checkout)
        if checkout["oversold"] or not checkout["agrees"] or checkout["errors"]:
            print(
                f"bench: WARNING: checkout failed its checks: {checkout['error_outcomes']}", file=sys.stderr
            )
    static = next(r for r in results if r["label"].startswith("static"))
    summary = (
        f"\nDataset {TENANTS} tenants x {PRODUCTS} products x {ARTICLES} articles; wrk -t2 -c{CONNECTIONS} "
        f"-d{DURATION}s per target; gunicorn {WORKERS} sync workers, production settings; "
        f"setup {setup:.0f}s, total {time.monotonic() - started:.0f}s.\n"
        f"Static file Cache-Control: {static.get('cache_control', '?')}\n"
        f"Worker RSS at the minimal view {rss_trend[0]:.0f} MB, end of run {rss_trend[-1]:.0f} MB.\n"
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.\n"
    )
    if checkout:
        summary += (
            f'Checkout: the storefront\'s "Place order" (POST /checkout/, session + CSRF) by {CHECKOUT_BUYERS} '
            f"signed-in KYC-verified patients at once, one unit each of a product with {CHECKOUT_STOCK} in "
            f"stock; {CHECKOUT_ROUNDS} rounds after a warm-up round (stock and carts reset between them); "
            "orders, units and stock checked in the database after each round.\n"
        )
    print(report + "\n" + summary)
    (OUT / "results.md").write_text(report + "\n" + summary)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    return 0


def generate(tenants: int, env: dict[str, str]) -> float:
    """Grow the dataset to ``tenants`` (only missing tenants are added); seconds taken."""
    started = time.monotonic()
    manage("generate_bench_data", f"--tenants={tenants}", f"--products={PRODUCTS}", f"--articles={ARTICLES}",
           env=env, quiet=True)  # fmt: skip
    # What autovacuum does in a live database: planner statistics for the grown tables.
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("ANALYZE")
    return time.monotonic() - started


def measure_scale_targets(tenants: int) -> list[dict]:
    server = Gunicorn(env_for(os.environ["APP_DATABASE_URL"], 0))
    try:
        results = []
        for label, host, path in (page for page in PAGES if page[0] in SCALE_TARGETS):
            for _ in range(2):
                fetch(server.port, host, path)
            results.append(measure(server, label, host, path))
            results[-1]["tenants"] = tenants
        return results
    finally:
        server.stop()


def scale_table(small: list[dict], large: list[dict]) -> str:
    lines = [
        f"| target | p95 ms at {TENANTS} tenants | p95 ms at {SCALE_TENANTS} tenants | ratio (target ≤ 1.5) "
        f"| req/s at {TENANTS} | req/s at {SCALE_TENANTS} | worker CPU ms/req at {TENANTS} | at {SCALE_TENANTS} "
        f"| SQL/req at {TENANTS} | at {SCALE_TENANTS} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(small, large, strict=True):
        lines.append(
            f"| {a['label']} | {a['p95'] / 1000:.1f} | {b['p95'] / 1000:.1f} | {b['p95'] / a['p95']:.2f} | "
            f"{a['rps']:.1f} | {b['rps']:.1f} | {a['cpu_ms']:.1f} | {b['cpu_ms']:.1f} | {a['queries']} | "
            f"{b['queries']} |"
        )
    return "\n".join(lines)


def scale_main() -> int:
    """`make bench-scale`: catalog, search and API at TENANTS, then the same database grown to
    SCALE_TENANTS (the generator adds only the missing tenants), measured again on the same
    tenant with the same wrk settings."""
    started = time.monotonic()
    owner = prepare("bench-scale")
    print(
        f"bench-scale: dataset {TENANTS} tenants x {PRODUCTS} products x {ARTICLES} articles", file=sys.stderr
    )
    small_setup = generate(TENANTS, owner)
    load_before_small = os.getloadavg()[0]
    small = measure_scale_targets(TENANTS)
    print(f"bench-scale: growing to {SCALE_TENANTS} tenants", file=sys.stderr)
    growth = generate(SCALE_TENANTS, owner)
    load_after_growth = os.getloadavg()[0]
    large = measure_scale_targets(SCALE_TENANTS)
    report = scale_table(small, large)
    summary = (
        f"\nSame tenant ({STORE}) and wrk -t2 -c{CONNECTIONS} -d{DURATION}s per target, gunicorn {WORKERS} sync "
        f"workers, production settings, page cache off; {PRODUCTS} products and {ARTICLES} articles per tenant. "
        f"Generating {TENANTS} tenants took {small_setup:.0f}s, growing to {SCALE_TENANTS} {growth:.0f}s "
        f"({growth / max(SCALE_TENANTS - TENANTS, 1):.2f}s per added tenant); total {time.monotonic() - started:.0f}s.\n"
        f"Load average before measuring {TENANTS} tenants {load_before_small:.1f}, after the growth "
        f"{load_after_growth:.1f}, at the end {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs.\n"
    )
    print(report + "\n" + summary)
    (OUT / "scale.md").write_text(report + "\n" + summary)
    (OUT / "scale.json").write_text(
        json.dumps({"small": small, "large": large, "growth_s": growth}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(scale_main() if "--scale" in sys.argv[1:] else main())
