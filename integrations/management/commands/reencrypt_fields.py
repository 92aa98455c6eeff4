"""Move every encrypted field to the newest FIELD_ENCRYPTION_KEYS key (after a rotation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError

from budstack import encrypted_fields, encryption
from sites.audit import record_audit
from sites.context import platform_scope


@dataclass
class Tally:
    rows: int = 0
    rotated: int = 0
    current: int = 0
    unreadable: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Re-encrypt every registered encrypted field (budstack.encrypted_fields) with the first "
        "FIELD_ENCRYPTION_KEYS key. Put the new key first, run this, then drop the old keys. "
        "Safe to run again: values already under the newest key are left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="Rows per transaction (default 200).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")

    def handle(self, *args, batch_size: int, dry_run: bool, no_progress: bool, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        targets = encrypted_fields.registered()
        with platform_scope("reencrypt_fields: count rows"):
            total = sum(self._manager(model).count() for model, _ in targets)
        tally = Tally()
        self._progress = not no_progress
        for model, names in targets:
            self._reencrypt(model, names, batch_size, dry_run, tally, total)
        if self._progress:
            self.stdout.write("")
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(
            f"{tally.rows} rows in {len(targets)} models: {verb} {tally.rotated} values, "
            f"{tally.current} already under the newest key, {len(tally.unreadable)} unreadable."
        )
        if not dry_run:
            with platform_scope("reencrypt_fields: audit"):
                record_audit(
                    "platform.fields_reencrypted",
                    data={
                        "models": [model._meta.label for model, _ in targets],
                        "rotated": tally.rotated,
                        "unreadable": len(tally.unreadable),
                    },
                )
        if tally.unreadable:
            listed = ", ".join(tally.unreadable[:20])
            raise CommandError(
                f"{len(tally.unreadable)} values could not be decrypted with any configured key and "
                f"were left as they are: {listed}. Keep the key they need in FIELD_ENCRYPTION_KEYS."
            )

    @staticmethod
    def _manager(model):
        # The tenant-scoped default manager would show one tenant; rotation covers all of
        # them (inside platform_scope, which also lifts row-level security).
        return getattr(model, "all_tenants", model._base_manager)

    def _reencrypt(self, model, names, batch_size, dry_run, tally, total) -> None:
        label = model._meta.label
        last_pk = None
        while True:
            with platform_scope(f"reencrypt_fields: {label}"):
                rows = self._manager(model).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values("pk", *names)[:batch_size])
                for row in batch:
                    changes = {}
                    for name in names:
                        token = row[name]
                        if not token:
                            continue
                        try:
                            if encryption.is_current(token):
                                tally.current += 1
                                continue
                            changes[name] = encryption.rotate(token)
                        except (encryption.InvalidToken, ValueError):  # ValueError: not even ASCII
                            tally.unreadable.append(f"{label}#{row['pk']}.{name}")
                    if changes and not dry_run:
                        # update(), not save(): no timestamps, signals or validation
                        # change because a value was re-encrypted.
                        self._manager(model).filter(pk=row["pk"]).update(**changes)
                    tally.rotated += len(changes)
                    tally.rows += 1
            if not batch:
                return
            last_pk = batch[-1]["pk"]
            self._show(tally.rows, total, label)

    def _show(self, done: int, total: int, label: str) -> None:
        if not self._progress:
            return
        width = 30
        filled = width * done // total if total else width
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}", ending="")
        self.stdout.flush()
