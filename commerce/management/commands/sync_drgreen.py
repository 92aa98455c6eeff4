"""`manage.py sync_drgreen [--tenant slug]`: upsert products from Dr. Green now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commerce.drgreen_sync import sync_tenant
from commerce.tasks import connected_tenant_ids
from integrations.drgreen.errors import DrGreenError
from sites.context import platform_scope, tenant_scope
from sites.models import Tenant

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Create, update and unpublish products from each connected tenant's Dr. Green catalog."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant (slug); default: every connected tenant.")

    def handle(self, *args, **options):
        with platform_scope("sync_drgreen: list tenants"):
            if options["tenant"]:
                tenants = list(Tenant.objects.filter(slug=options["tenant"]))
                if not tenants:
                    raise CommandError(f"No tenant with slug {options['tenant']!r}.")
            else:
                tenants = list(Tenant.objects.filter(pk__in=connected_tenant_ids()).order_by("slug"))
        if not tenants:
            self.stdout.write("No tenant is connected to Dr. Green; nothing to sync.")
            return
        failures = 0
        for tenant in tenants:
            self.stdout.write(f"Syncing {tenant.slug} ({tenant.country_code}) …")
            try:
                with tenant_scope(tenant):
                    summary = sync_tenant(tenant, progress=self._progress)
            except DrGreenError as exc:
                failures += 1
                self.stdout.write("")
                self.stderr.write(self.style.ERROR(f"{tenant.slug}: Dr. Green sync failed: {exc}"))
                continue
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(str(summary)))
        if failures:
            raise CommandError(f"{failures} tenant(s) could not be synced.")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
