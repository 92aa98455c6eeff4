"""Django's createsuperuser, run as platform work (super admins belong to no tenant)."""

from django.contrib.auth.management.commands import createsuperuser

from sites.context import platform_scope


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        with platform_scope("createsuperuser"):
            return super().handle(*args, **options)
