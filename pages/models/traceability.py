from django.http import Http404

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from .base import StorefrontPage


class TraceabilityPage(RoutablePageMixin, StorefrontPage):
    """Index of the dispensary's batches and, below it, each batch's verified timeline.

    The ledger itself (batches, hash-chained events, verification) is
    ``commerce.traceability``; this page only shows it.
    """

    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "traceability page"

    def visible_batches(self, request):
        from commerce.models import Product
        from commerce.traceability.models import Batch

        # Regional gating, as in the catalog: a product the dispensary does not sell in
        # its country is never linked. Unpublished products keep their batches visible:
        # a patient holding a discontinued product can still check where it came from.
        sold_here = Product.objects.available_in(request.tenant.country_code)
        return Batch.objects.select_related("product").filter(product__in=sold_here)

    @path("")
    def index(self, request):
        batches = self.visible_batches(request).order_by("-produced_on", "code")
        return self.render(request, context_overrides={"batches": batches})

    @path("<str:batch_code>/")
    def batch(self, request, batch_code):
        from commerce.traceability.chain import verify_chain

        batch = self.visible_batches(request).filter(code=batch_code).first()
        if batch is None:
            raise Http404("Unknown batch")
        check = verify_chain(batch)
        return self.render(
            request,
            template="pages/traceability_batch.html",
            context_overrides={
                "batch": batch,
                "check": check,
                "timeline": [(event, event.sequence in check.valid) for event in check.events],
                "canonical_url": self.canonical_url(request.tenant) + f"{batch.code}/",
            },
        )
