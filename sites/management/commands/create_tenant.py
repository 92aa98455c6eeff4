from django.core.management.base import BaseCommand, CommandError

from sites.provisioning import ProvisioningError, TenantSpec, provision_tenant
from themes.registry import DEFAULT_THEME


class Command(BaseCommand):
    help = "Provision a dispensary: site, page tree, groups, collection, branding and its admin."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="URL name, e.g. healingbuds")
        parser.add_argument("--name", required=True, help="Display name, e.g. 'Healing Buds'")
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. GB")
        parser.add_argument("--theme", default=DEFAULT_THEME, help="Installed theme slug")
        parser.add_argument("--admin-email", required=True, help="The tenant admin's email")
        parser.add_argument(
            "--plan",
            default="",
            help="Plan slug (starter, professional, enterprise); default: no plan, no limits",
        )

    def handle(self, *args, **options):
        spec = TenantSpec(
            slug=options["slug"],
            name=options["name"],
            country_code=options["country"],
            theme=options["theme"],
            admin_email=options["admin_email"],
            plan=options["plan"],
        )
        try:
            result = provision_tenant(spec)
        except ProvisioningError as error:
            lines = [f"  {field}: {' '.join(messages)}" for field, messages in error.errors.items()]
            raise CommandError("Nothing was created:\n" + "\n".join(lines)) from error
        tenant = result.tenant
        self.stdout.write(
            self.style.SUCCESS(f"Created {tenant.name} ({tenant.slug}, {tenant.country_code}).")
        )
        self.stdout.write(f"Storefront: /store/{tenant.slug}/ and http://{tenant.primary_hostname}/")
        self.stdout.write(f"Admin {result.admin.email} sets a password at: {result.set_password_url}")
