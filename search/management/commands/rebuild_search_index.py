"""Rebuild the storefront search index, for every tenant or one (``--tenant <slug>``)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search.indexing import reindex_tenant
from sites.context import platform_scope
from sites.models import Tenant


class Command(BaseCommand):
    help = "Rebuild the storefront search index (pages and products) with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", action="append", default=[], help="slug; repeat for several")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, tenant: list[str], quiet: bool, **options):
        with platform_scope("rebuild search index: list tenants"):
            tenants = Tenant.objects.order_by("slug")
            if tenant:
                tenants = tenants.filter(slug__in=tenant)
                missing = set(tenant) - set(tenants.values_list("slug", flat=True))
                if missing:
                    raise CommandError(f"No such tenant: {', '.join(sorted(missing))}")
            tenants = list(tenants)
        started, documents = time.monotonic(), 0
        for number, each in enumerate(tenants, start=1):
            label = f"[{number}/{len(tenants)}] {each.slug}"

            def progress(done: int, total: int, label: str = label) -> None:
                if quiet:
                    return
                width = 30
                filled = width * done // max(total, 1)
                sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                sys.stderr.flush()

            documents += reindex_tenant(each, progress=progress)
            if not quiet:
                sys.stderr.write("\n")
        self.stdout.write(
            f"Indexed {documents} documents of {len(tenants)} tenant(s) in {time.monotonic() - started:.1f}s."
        )
