"""Re-encrypt every consultation answer under the newest FIELD_ENCRYPTION_KEYS key."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sites.context import tenant_scope
from sites.models import Tenant


class Command(BaseCommand):
    help = (
        "After putting a new key first in FIELD_ENCRYPTION_KEYS: re-encrypt consultation answers "
        "and drafts so that old keys can be removed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", help="Only this tenant's slug.")

    def handle(self, *args, tenant: str | None = None, **options) -> None:
        from kyc.models import ConsultationDraft, ConsultationSubmission

        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
        total = 0
        for each in tenants:
            with tenant_scope(each):
                changed = 0
                for model in (ConsultationSubmission, ConsultationDraft):
                    for row in model.objects.only("pk", "answers_encrypted").iterator():
                        changed += row.reencrypt()
            total += changed
            self.stdout.write(f"{each.slug}: {changed} answer records re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} answer records re-encrypted"))
