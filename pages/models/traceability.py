from django.http import Http404

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from .base import StorefrontPage


class TraceabilityPage(RoutablePageMixin, StorefrontPage):
    """Index of traceable batches; the hash-chained ledger arrives with commerce."""

    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "traceability page"

    @path("")
    def index(self, request):
        return self.render(request)

    @path("<str:batch_code>/")
    def batch(self, request, batch_code):
        # No batch exists until the traceability ledger lands; an unknown code is a 404.
        raise Http404("Unknown batch")
