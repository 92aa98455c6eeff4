"""`make bench-search`: storefront search latency on a generated multi-tenant dataset.

Runs inside scripts/with-services.sh (throwaway PostgreSQL and Redis). Migrates,
generates the dataset with ``generate_bench_data`` (default 100 tenants, 100,000
products, 20,000 pages; ``--small`` for 10 tenants, 2,000 products, 400 pages), rebuilds
the search index with ``rebuild_search_index``, then, as the application's database role
(row-level security on) with production settings and the page cache off, asks every
sampled tenant typical questions through the full Django stack:

- strain name: a product's name (``/search/?q=...``)
- condition: a word that matches conditions, articles and products
- misspelling: a near miss, answered with "did you mean" (pg_trgm)
- autocomplete: a three-letter prefix (``/search/suggest/?q=...``)

and prints the median and 95th percentile latency of each (milliseconds). Writes the
table to var/bench/search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ is a folder of scripts, not a package: its driver module is imported by name.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

from bench import DOMAIN, OUT, PYTHON, env_for, manage  # noqa: E402

SIZES = {
    # tenants, products per tenant, articles per tenant, conditions per tenant
    "full": (100, 1000, 180, 20),
    "small": (10, 200, 36, 4),
}


def env(database_url: str) -> dict[str, str]:
    """bench.env_for's production settings, keeping a caller's PYTHONPATH entries too."""
    values = env_for(database_url, 0)
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH", ""), str(ROOT)]))
    return values


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(tenants: int, per_tenant: int, repeats: int) -> dict[str, list[float]]:
    """Runs in a child process with the app role's settings (see main)."""
    import django

    django.setup()
    from django.test import Client

    from commerce.models import Product
    from sites.context import platform_scope

    step = max(1, tenants // per_tenant) if per_tenant else 1
    slugs = [f"bench-{n:03d}" for n in range(0, tenants, step)][:per_tenant]
    with platform_scope("bench: pick strain names"):
        names = {
            slug: list(
                Product.all_tenants.filter(tenant__slug=slug, available_countries__contains="GB")
                .order_by("sku")
                .values_list("name", flat=True)[7:8]
            )
            for slug in slugs
        }
    queries = {
        "strain name": lambda slug: ("/search/", names[slug][0] if names[slug] else "relief"),
        "condition": lambda slug: ("/search/", "sleep"),
        "two words": lambda slug: ("/search/", "chronic pain"),
        "misspelling": lambda slug: ("/search/", "anxeity"),
        "autocomplete": lambda slug: ("/search/suggest/", "pha"),
    }
    timings: dict[str, list[float]] = {label: [] for label in queries}
    client = Client()
    for slug in slugs:
        host = f"{slug}.{DOMAIN}"
        for label, make in queries.items():
            path, query = make(slug)
            client.get(path, {"q": query}, HTTP_HOST=host)  # warm this tenant's caches
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(path, {"q": query}, HTTP_HOST=host)
                timings[label].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"bench-search: {host}{path}?q={query} answered {response.status_code}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="10 tenants, 2,000 products, 400 pages")
    parser.add_argument("--tenants", type=int)
    parser.add_argument("--products", type=int, help="per tenant")
    parser.add_argument("--articles", type=int, help="per tenant")
    parser.add_argument("--conditions", type=int, help="per tenant")
    parser.add_argument("--sample", type=int, default=20, help="tenants queried")
    parser.add_argument("--repeats", type=int, default=5, help="timed requests per query and tenant")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    tenants, products, articles, conditions = SIZES["small" if args.small else "full"]
    tenants = args.tenants or tenants
    products = args.products if args.products is not None else products
    articles = args.articles if args.articles is not None else articles
    conditions = args.conditions if args.conditions is not None else conditions

    if args.measure:
        print(json.dumps(measure(tenants, args.sample, args.repeats)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "manage.log").write_text("")
    owner = env(os.environ["DATABASE_URL"])
    started = time.monotonic()
    print("bench-search: migrating", file=sys.stderr)
    manage("migrate", "--noinput", "--skip-checks", env=owner, quiet=True)
    print(
        f"bench-search: dataset {tenants} tenants x {products} products, {articles} articles and "
        f"{conditions} conditions each",
        file=sys.stderr,
    )
    manage(
        "generate_bench_data", f"--tenants={tenants}", f"--products={products}", f"--articles={articles}",
        f"--conditions={conditions}", "--no-index", env=owner,
    )  # fmt: skip
    manage("collectstatic", "--noinput", "-v0", env=owner, quiet=True)
    generated = time.monotonic() - started
    print("bench-search: rebuilding the search index", file=sys.stderr)
    indexing_started = time.monotonic()
    manage("rebuild_search_index", env=owner)
    indexing = time.monotonic() - indexing_started

    app = env(os.environ["APP_DATABASE_URL"])
    command = [PYTHON, str(Path(__file__).resolve()), "--measure", f"--tenants={tenants}",
               f"--sample={args.sample}", f"--repeats={args.repeats}"]  # fmt: skip
    output = subprocess.run(command, cwd=ROOT, env=app, check=True, stdout=subprocess.PIPE, text=True).stdout
    timings: dict[str, list[float]] = json.loads(output.strip().splitlines()[-1])

    pages = tenants * (articles + conditions)
    lines = [
        f"Dataset: {tenants} tenants, {tenants * products:,} products, {pages:,} generated pages "
        f"(+ each tenant's starter pages); index rebuilt in {indexing:.0f}s (data {generated:.0f}s).",
        f"Sampled {min(args.sample, tenants)} tenants x {args.repeats} requests per query, full Django stack "
        "(production settings, application role under RLS, page cache off), one process.",
        "",
        "| query | requests | median ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for label, values in timings.items():
        lines.append(
            f"| {label} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "search.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
