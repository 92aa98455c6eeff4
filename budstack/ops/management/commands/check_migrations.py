"""Fail (exit 1) when models have changes without migrations, or migrations are unapplied.

Run in CI and as the last step of a deploy (``manage.py check_migrations``): the first
half is ``makemigrations --check``, the second asks the migration executor for the plan
that ``migrate`` would run against the configured database.
"""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Exit non-zero when a model change has no migration or a migration is not applied."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--skip-unapplied",
            action="store_true",
            help="Only look for missing migrations (no database needed).",
        )

    def handle(self, *args, database: str, skip_unapplied: bool, **options) -> None:
        problems: list[str] = []
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit:
            problems.append("Model changes without a migration:\n" + out.getvalue().strip())
        if not skip_unapplied:
            executor = MigrationExecutor(connections[database])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                names = "\n".join(f"  {m.app_label}.{m.name}" for m, _backwards in plan)
                problems.append(f"Migrations not applied to {database!r}:\n{names}")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS("Migrations are complete and applied."))
