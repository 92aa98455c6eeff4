"""Wagtail's publish_scheduled, run as platform work.

Publishing restores a revision's tags and other tenant-owned relations; outside a scope
the tenant-scoped managers would see none of them, so the whole run is a logged bypass.
"""

from wagtail.management.commands import publish_scheduled

from sites.context import platform_scope


class Command(publish_scheduled.Command):
    def handle(self, *args, **options):
        with platform_scope("publish scheduled pages"):
            return super().handle(*args, **options)
