"""How to make one object of each tenant-owned kind, for the isolation matrix.

Every model that carries a tenant foreign key must have an entry here: the matrix fails
for a tenant-owned model it cannot build, so new models join it by construction.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from PIL import Image as PILImage

from sites.context import platform_scope, tenant_scope
from sites.models import Tenant


@dataclass
class Made:
    obj: object
    marker: str  # text that identifies the object if it leaks into a page
    storefront_paths: list[str] = field(default_factory=list)  # paths below the tenant prefix


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("leak-probe.png", buffer.getvalue(), content_type="image/png")


def make_product(tenant: Tenant) -> Made:
    from commerce.models import Product

    marker = f"Secret Strain {tenant.slug}"
    product = Product.objects.create(
        name=marker,
        slug=f"secret-{tenant.slug}",
        sku=f"SEC-{tenant.slug}",
        strain_type="hybrid",
        price=10,
        available_countries="GB PT",
    )
    return Made(product, marker, [f"products/{product.slug}/"])


def make_batch(tenant: Tenant) -> Made:
    from commerce.models import Product
    from commerce.traceability.models import Batch

    # The marker is the product's name (on the index and the batch page), not the code:
    # a 404 page repeats the path it was asked for.
    marker = f"Secret batch strain {tenant.slug}"
    product = Product.objects.create(
        name=marker,
        slug=f"batch-strain-{tenant.slug}",
        sku=f"BAT-{tenant.slug}",
        strain_type="indica",
        price=10,
        available_countries="GB PT",
    )
    code = f"LOT-{tenant.pk:05d}"
    batch = Batch.objects.create(code=code, product=product, lab_name=f"Secret Lab {tenant.slug}")
    return Made(batch, marker, ["blockchain/", f"blockchain/{code}/"])


def make_batch_event(tenant: Tenant) -> Made:
    from commerce.traceability.chain import append_event

    batch = make_batch(tenant).obj
    marker = f"Secret consignment {tenant.slug}"
    event = append_event(batch, "shipped", {"consignment": marker})
    return Made(event, marker, [f"blockchain/{batch.code}/"])


def make_patient_profile(tenant: Tenant) -> Made:
    from kyc.models import PatientProfile
    from sites.models import Role, User

    user = User.objects.create_user(f"profile-{tenant.slug}@example.com", role=Role.PATIENT, tenant=tenant)
    profile = PatientProfile.objects.create(user=user, drgreen_client_id=f"client-{tenant.slug}")
    return Made(profile, f"client-{tenant.slug}")


def make_consultation_draft(tenant: Tenant) -> Made:
    from kyc.models import ConsultationDraft
    from sites.models import Role, User

    user = User.objects.create_user(f"draft-{tenant.slug}@example.com", role=Role.PATIENT, tenant=tenant)
    draft = ConsultationDraft(user=user, current_step=2)
    draft.answers = {"step1": {"first_name": f"Draftee {tenant.slug}"}}
    draft.save()
    return Made(draft, f"draft-{tenant.slug}@example.com")


def make_consultation_submission(tenant: Tenant) -> Made:
    from kyc.models import ConsultationSubmission
    from sites.models import Role, User

    user = User.objects.create_user(f"submitter-{tenant.slug}@example.com", role=Role.PATIENT, tenant=tenant)
    submission = ConsultationSubmission(user=user, version=1)
    submission.answers = {"step1": {"first_name": f"Submitter {tenant.slug}"}}
    submission.save()
    return Made(submission, f"submitter-{tenant.slug}@example.com")


def make_user(tenant: Tenant) -> Made:
    from sites.models import Role, User

    email = f"secret-patient-{tenant.slug}@example.com"
    return Made(User.objects.create_user(email, role=Role.PATIENT, tenant=tenant), email)


def make_branding(tenant: Tenant) -> Made:
    from sites.models import Branding

    branding = Branding.objects.get(tenant=tenant)
    branding.tagline = f"Secret tagline of {tenant.slug}"
    branding.save()
    return Made(branding, branding.tagline)


def make_tenant_group(tenant: Tenant) -> Made:
    from sites.models import TenantGroup

    with platform_scope("isolation matrix: tenant groups are platform-managed"):
        group = TenantGroup.objects.filter(tenant=tenant).select_related("group").first()
    return Made(group, group.group.name)


def make_image(tenant: Tenant) -> Made:
    from media.models import TenantImage

    title = f"Secret image {tenant.slug}"
    image = TenantImage.objects.create(title=title, file=_png(), collection=tenant.collection)
    return Made(image, title)


def make_document(tenant: Tenant) -> Made:
    from media.models import TenantDocument

    title = f"Secret document {tenant.slug}"
    document = TenantDocument.objects.create(
        title=title,
        file=SimpleUploadedFile("lab-certificate.txt", f"{title}: lab results".encode()),
        collection=tenant.collection,
    )
    return Made(document, title, [f"documents/{document.pk}/{document.filename}"])


def make_storefront_settings(tenant: Tenant) -> Made:
    from pages.models import StorefrontSettings

    settings = StorefrontSettings.objects.get(tenant=tenant)
    settings.medical_disclaimer = f"Secret disclaimer of {tenant.slug}"
    settings.save()
    return Made(settings, settings.medical_disclaimer, [""])


def make_navigation_menu(tenant: Tenant) -> Made:
    from pages.models import NavigationMenu, NavigationMenuItem

    menu = NavigationMenu.objects.get(tenant=tenant)
    label = f"Secret link {tenant.slug}"
    NavigationMenuItem.objects.create(menu=menu, label=label, url="https://example.org/")
    return Made(menu, label, [""])


def make_article_category(tenant: Tenant) -> Made:
    from pages.models import ArticleCategory

    name = f"Secret category {tenant.slug}"
    category = ArticleCategory.objects.create(name=name, slug=f"secret-{tenant.slug}")
    return Made(category, name, ["the-wire/"])


def make_article_tag(tenant: Tenant) -> Made:
    from pages.models import ArticleTag

    name = f"secret-tag-{tenant.slug}"
    return Made(ArticleTag.objects.create(name=name, slug=name), name)


def make_contact_submission(tenant: Tenant) -> Made:
    from pages.models import ContactPage, ContactSubmission

    page = ContactPage.objects.descendant_of(tenant.site.root_page).get()
    message = f"Secret message to {tenant.slug}"
    return Made(ContactSubmission.objects.create(page=page, form_data={"message": message}), message)


def make_drgreen_credentials(tenant: Tenant) -> Made:
    from integrations.drgreen.credentials import generate_credentials

    url = f"https://drgreen-{tenant.slug}.example/api/v1"
    credentials, _ = generate_credentials(tenant, base_url=url)
    return Made(credentials, url)


def make_audit_log_entry(tenant: Tenant) -> Made:
    from sites.audit import record_audit

    marker = f"audit-probe-{tenant.slug}"
    entry = record_audit("probe.recorded", tenant=tenant, data={"note": marker})
    return Made(entry, marker)


def make_invoice(tenant: Tenant) -> Made:
    import datetime

    from django.utils import timezone

    from billing.models import Invoice

    marker = f"BS-LEAK-{tenant.slug}"
    now = timezone.now()
    invoice = Invoice.objects.create(
        number=marker,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        plan_name="Starter",
        amount=299,
        currency="USD",
        issued_at=now,
        due_at=now,
    )
    return Made(invoice, marker)


def make_webhook_endpoint(tenant: Tenant) -> Made:
    from integrations.webhooks.services import create_endpoint

    url = f"https://hooks-{tenant.slug}.example/secret-receiver"
    endpoint, _ = create_endpoint(tenant, url=url, events=["order.created"])
    return Made(endpoint, url)


def make_webhook_delivery(tenant: Tenant) -> Made:
    from integrations.webhooks.models import WebhookDelivery

    endpoint = make_webhook_endpoint(tenant).obj
    event_id = f"evt_secret_{tenant.slug}"
    payload = {"id": event_id, "event": "order.created", "tenant": tenant.slug, "data": {}}
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event="order.created", payload=payload
    )
    return Made(delivery, event_id)


def make_webhook_attempt(tenant: Tenant) -> Made:
    from django.utils import timezone

    from integrations.webhooks.models import WebhookAttempt

    delivery = make_webhook_delivery(tenant).obj
    excerpt = f"secret receiver answer of {tenant.slug}"
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), status_code=500, response_excerpt=excerpt
    )
    return Made(attempt, excerpt)


def _order(tenant: Tenant, marker: str):
    from commerce.models import Order, OrderLine
    from sites.models import Role, User

    user = User.objects.create_user(f"buyer-{marker}@example.com", role=Role.PATIENT, tenant=tenant)
    order = Order.objects.create(
        reference=marker[:20],
        user=user,
        currency="GBP",
        total=10,
        delivery_name=f"Name {marker}",
        delivery_line1="1 Secret Street",
        delivery_city="Leak City",
        delivery_postcode="L1 1LK",
        delivery_country=tenant.country_code,
    )
    OrderLine.objects.create(
        order=order, product_name=f"Line {marker}", sku="SKU", unit_price=10, quantity=1, line_total=10
    )
    return order


def make_order(tenant: Tenant) -> Made:
    marker = f"ORD-{tenant.slug}"
    order = _order(tenant, marker)
    return Made(order, marker)


def make_order_line(tenant: Tenant) -> Made:
    marker = f"OL-{tenant.slug}"
    order = _order(tenant, marker)
    return Made(order.lines.get(), f"Line {marker}")


def make_order_event(tenant: Tenant) -> Made:
    from commerce.models import OrderEvent

    order = _order(tenant, f"OE-{tenant.slug}")
    note = f"Secret note {tenant.slug}"
    return Made(OrderEvent.objects.create(order=order, to_status="PENDING", note=note), note)


def make_cart_item(tenant: Tenant) -> Made:
    from commerce.models import CartItem
    from sites.models import Role, User

    product = make_product(tenant).obj
    user = User.objects.create_user(f"cart-{tenant.slug}@example.com", role=Role.PATIENT, tenant=tenant)
    return Made(CartItem.objects.create(user=user, product=product, quantity=3), product.name)


def make_api_token(tenant: Tenant) -> Made:
    from sites.models import Role, User
    from sites.tokens import issue_token

    user = User.objects.create_user(f"api-{tenant.slug}@example.com", role=Role.PATIENT, tenant=tenant)
    issued = issue_token(user, name=f"Secret integration of {tenant.slug}")
    return Made(issued.token, issued.token.name)


def make_search_document(tenant: Tenant) -> Made:
    from commerce.models import Product
    from search.models import SearchDocument

    # Saving the product indexes it; the owner's search for "beacon" shows it, and the
    # other tenant's search for the same word must not (the query itself is echoed, so the
    # marker is the full name, never the query).
    marker = f"Searchdoc beacon {tenant.slug}"
    product = Product.objects.create(
        name=marker, slug=f"beacon-{tenant.slug}", sku=f"BCN-{tenant.slug}", strain_type="hybrid",
        price=10, available_countries="GB PT",
    )  # fmt: skip
    document = SearchDocument.objects.get(source="product", object_id=product.pk)
    return Made(document, marker, ["search/?q=beacon"])


def make_search_query_log(tenant: Tenant) -> Made:
    from django.utils import timezone

    from search.models import SearchQueryLog

    query = f"secret query {tenant.slug}"
    return Made(SearchQueryLog.objects.create(day=timezone.localdate(), query=query, results=0), query)


def make_page_view_day(tenant: Tenant) -> Made:
    from django.utils import timezone

    from analytics.models import PageViewDay

    path = f"/secret-path-of-{tenant.slug}/"
    return Made(PageViewDay.objects.create(date=timezone.localdate(), path=path, views=7), path)


def _ticket(tenant: Tenant, marker: str):
    from sites.models import Role, User
    from support.models import Ticket

    opener = User.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN).first()
    return Ticket.objects.create(subject=marker, opened_by=opener)


def make_ticket(tenant: Tenant) -> Made:
    marker = f"Secret ticket of {tenant.slug}"
    return Made(_ticket(tenant, marker), marker)


def make_ticket_message(tenant: Tenant) -> Made:
    from support.models import TicketMessage

    ticket = _ticket(tenant, f"Thread of {tenant.slug}")
    body = f"Secret support message of {tenant.slug}"
    return Made(TicketMessage.objects.create(ticket=ticket, author_label="probe", body=body), body)


FACTORIES: dict[str, Callable[[Tenant], Made]] = {
    "commerce.Order": make_order,
    "commerce.OrderLine": make_order_line,
    "commerce.OrderEvent": make_order_event,
    "commerce.CartItem": make_cart_item,
    "tenancy.ApiToken": make_api_token,
    "tenancy.AuditLogEntry": make_audit_log_entry,
    "pages.StorefrontSettings": make_storefront_settings,
    "pages.NavigationMenu": make_navigation_menu,
    "pages.ArticleCategory": make_article_category,
    "pages.ArticleTag": make_article_tag,
    "pages.ContactSubmission": make_contact_submission,
    "commerce.Product": make_product,
    "commerce.Batch": make_batch,
    "commerce.BatchEvent": make_batch_event,
    "kyc.PatientProfile": make_patient_profile,
    "kyc.ConsultationDraft": make_consultation_draft,
    "kyc.ConsultationSubmission": make_consultation_submission,
    "tenancy.User": make_user,
    "tenancy.Branding": make_branding,
    "tenancy.TenantGroup": make_tenant_group,
    "media.TenantImage": make_image,
    "media.TenantDocument": make_document,
    "integrations.DrGreenCredentials": make_drgreen_credentials,
    "integrations.WebhookEndpoint": make_webhook_endpoint,
    "billing.Invoice": make_invoice,
    "integrations.WebhookDelivery": make_webhook_delivery,
    "integrations.WebhookAttempt": make_webhook_attempt,
    "search.SearchDocument": make_search_document,
    "search.SearchQueryLog": make_search_query_log,
    "analytics.PageViewDay": make_page_view_day,
    "support.Ticket": make_ticket,
    "support.TicketMessage": make_ticket_message,
}


def make(label: str, tenant: Tenant) -> Made:
    with tenant_scope(tenant):
        return FACTORIES[label](tenant)
