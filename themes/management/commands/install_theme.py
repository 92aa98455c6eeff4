"""Install a theme from a zip file, or register the themes of pip-installed packages."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from themes.installer import install_zip, register_source
from themes.registry import package_themes
from themes.validation import ThemeZipError


class Command(BaseCommand):
    help = "install_theme <zip or package>: validate and install a theme zip, or a pip package's theme."

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="Path to a theme .zip, or the name of a pip-installed theme package"
        )

    def handle(self, *args, source: str, **options):
        path = Path(source)
        if path.suffix == ".zip" or path.is_file():
            if not path.is_file():
                raise CommandError(f"No such file: {source}")
            try:
                theme = install_zip(path.read_bytes())
            except ThemeZipError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(self.style.SUCCESS(f"Installed {theme} from {path.name}."))
            return
        matches = [
            found
            for found in package_themes()
            if source in (found.manifest.slug, found.directory.parent.name)
        ]
        if not matches:
            raise CommandError(
                f"“{source}” is neither a zip file nor an installed package announcing a theme "
                "in the 'budstack.themes' entry point group."
            )
        for found in matches:
            theme, created = register_source(found)
            self.stdout.write(
                self.style.SUCCESS(f"{'Installed' if created else 'Updated'} {theme} from package.")
            )
