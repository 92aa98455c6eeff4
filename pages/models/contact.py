from __future__ import annotations

from django.conf import settings
from django.db import models
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField

from pages import contact
from sites.models import TenantScopedModel

from .base import StorefrontPage


def tenant_admin_url(name: str, *args) -> str:
    """An absolute admin URL, even while a ``/store/<slug>/`` request set the script prefix."""
    path, prefix = reverse(name, args=args), get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path.removeprefix(prefix)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactSubmission(TenantScopedModel, AbstractFormSubmission):
    """A message from the contact form; personal data, so it is tenant-owned (RLS)."""

    class Meta:
        verbose_name = "contact form submission"


class ContactPage(AbstractEmailForm, StorefrontPage):
    intro = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True)

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading="Email to the dispensary",
        ),
    ]
    promote_panels = StorefrontPage.promote_panels
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "contact page"

    def get_submission_class(self):
        return ContactSubmission

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        contact.add_spam_fields(form)
        return form

    def process_form_submission(self, form):
        for name in (contact.HONEYPOT_FIELD, contact.TIMESTAMP_FIELD):
            form.cleaned_data.pop(name, None)
        return super().process_form_submission(form)

    def send_mail(self, form):
        """Email the message to the dispensary from its own name (integrations.email)."""
        from integrations.email import send_tenant_email
        from sites.context import get_current_tenant

        tenant = get_current_tenant()
        if tenant is None:
            return
        addresses = [address.strip() for address in self.to_address.split(",") if address.strip()]
        fields = []
        for field in form:
            if field.name not in form.cleaned_data:
                continue
            value = form.cleaned_data[field.name]
            fields.append((str(field.label), ", ".join(value) if isinstance(value, list) else str(value)))
        submitter = form.cleaned_data.get("email")
        send_tenant_email(
            tenant,
            "contact_form",
            addresses,
            {
                "subject": self.subject,
                "fields": fields,
                "submissions_url": tenant_admin_url("wagtailforms:list_submissions", self.pk),
            },
            # The dispensary answers the person who wrote, not itself.
            reply_to=[submitter] if submitter else None,
        )

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            form = self.get_form(request.POST, request.FILES, page=self, user=request.user)
            problem = contact.spam_error(form)
            status = 400
            if problem is None and contact.rate_limited(request):
                problem, status = "You have sent several messages already. Please try again later.", 429
            if problem is not None:
                form.is_valid()
                form.add_error(None, problem)
                context = self.get_context(request)
                context["form"] = form
                return TemplateResponse(request, self.get_template(request), context, status=status)
        return super().serve(request, *args, **kwargs)
