"""Django's changepassword, run as platform work so any account can be found."""

from django.contrib.auth.management.commands import changepassword

from sites.context import platform_scope


class Command(changepassword.Command):
    def handle(self, *args, **options):
        with platform_scope("changepassword"):
            return super().handle(*args, **options)
