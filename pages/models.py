"""Storefront page types: the tree every tenant gets at provisioning."""

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


class HomePage(Page):
    """A dispensary's storefront home; the root page of its Wagtail Site."""

    hero_title = models.CharField(max_length=200, blank=True)
    hero_text = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text")], heading="Hero"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.AboutPage",
        "pages.ContactPage",
        "pages.ConditionsIndexPage",
        "pages.WireIndexPage",
        "pages.TraceabilityPage",
        "commerce.CatalogPage",
        "kyc.ConsultationPage",
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = (
            ArticlePage.objects.live().public().descendant_of(self).order_by("-date")[:3]
        )
        return context


class AboutPage(Page):
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(AbstractEmailForm):
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
            heading="Email",
        ),
    ]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []


class ConditionsIndexPage(Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ConditionPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["conditions"] = ConditionPage.objects.child_of(self).live().public().order_by("title")
        return context


class ConditionPage(Page):
    summary = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["pages.ConditionsIndexPage"]
    subpage_types: list[str] = []


class WireIndexPage(RoutablePageMixin, Page):
    """The Wire: the dispensary's news."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ArticlePage"]

    def articles(self):
        return ArticlePage.objects.child_of(self).live().public().order_by("-date", "-pk")

    @path("")
    def index(self, request):
        return self.render(request, context_overrides={"articles": self.articles()})

    @path("feed/")
    def feed(self, request):
        from django.http import HttpResponse

        feed = Rss201rev2Feed(
            title=f"{self.get_site().site_name} — {self.title}",
            link=self.get_full_url(request),
            description=f"News from {self.get_site().site_name}",
            language="en",
        )
        for article in self.articles()[:20]:
            feed.add_item(
                title=article.title,
                link=article.get_full_url(request),
                description=article.intro,
                pubdate=timezone.make_aware(
                    timezone.datetime.combine(article.date, timezone.datetime.min.time())
                ),
                unique_id=article.get_full_url(request),
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response


class ArticlePage(Page):
    date = models.DateField("published on", default=timezone.localdate)
    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["pages.WireIndexPage"]
    subpage_types: list[str] = []


class TraceabilityPage(RoutablePageMixin, Page):
    """Index of traceable batches; the hash-chained ledger arrives with commerce."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []

    @path("")
    def index(self, request):
        return self.render(request)

    @path("<str:batch_code>/")
    def batch(self, request, batch_code):
        # No batch exists until the traceability ledger lands; an unknown code is a 404.
        raise Http404("Unknown batch")
