"""The page tree, settings and editorial workflow every new storefront starts with."""

from __future__ import annotations

from django.contrib.auth.models import Group

from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from commerce.models import CatalogPage
from kyc.models import ConsultationPage
from pages.models import (
    AboutPage,
    ConditionsIndexPage,
    ContactFormField,
    ContactPage,
    HomePage,
    NavigationMenu,
    StorefrontSettings,
    TraceabilityPage,
    WireIndexPage,
)


def build_starter_tree(root: Page, *, slug: str, name: str, admin_email: str) -> HomePage:
    """Create the tenant's home page below ``root`` and its sections, all published."""
    home = root.add_child(
        instance=HomePage(
            title=name,
            slug=slug,
            hero_title=f"Welcome to {name}",
            hero_text="Medical cannabis, prescribed and dispensed with care.",
        )
    )
    sections: list[Page] = [
        CatalogPage(title="Products", slug="products"),
        ConditionsIndexPage(title="Conditions", slug="conditions"),
        WireIndexPage(title="The Wire", slug="the-wire"),
        AboutPage(title="About us", slug="about"),
        ContactPage(
            title="Contact",
            slug="contact",
            to_address=admin_email,
            subject=f"New enquiry for {name}",
            thank_you_text="<p>Thank you. We will reply within two working days.</p>",
        ),
        ConsultationPage(title="Consultation", slug="consultation"),
        TraceabilityPage(title="Traceability", slug="blockchain"),
    ]
    for page in sections:
        page.show_in_menus = page.slug != "blockchain"
        home.add_child(instance=page)
    contact = ContactPage.objects.child_of(home).get()
    for order, (label, field_type) in enumerate(
        [("Your name", "singleline"), ("Email", "email"), ("Message", "multiline")]
    ):
        ContactFormField.objects.create(
            page=contact, sort_order=order, label=label, field_type=field_type, required=True
        )
    return home


def create_storefront_defaults(tenant) -> None:
    """Settings and an (empty: falls back to menu pages) navigation menu. Runs in the tenant's scope."""
    StorefrontSettings.objects.get_or_create(tenant=tenant)
    NavigationMenu.objects.get_or_create(tenant=tenant)


def create_editorial_workflow(name: str, home: Page, approvers: Group) -> Workflow:
    """Editors submit; the tenant's admins approve. Assigned to the tenant's whole tree."""
    task = GroupApprovalTask.objects.create(name=f"{name}: admin approval")
    task.groups.set([approvers])
    workflow = Workflow.objects.create(name=f"{name} moderation")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=home)
    return workflow
