"""The Wire: a dispensary's news, with categories, tags and a feed."""

from __future__ import annotations

import math

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from pages.blocks import BodyBlock
from pages.routing import public
from sites.models import TenantScopedModel
from sites.urls_helpers import tenant_absolute_url

from .base import StorefrontPage

ARTICLES_PER_PAGE = 10
WORDS_PER_MINUTE = 220


class ArticleCategory(TenantScopedModel):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name_plural = "article categories"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="article_category_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class ArticleTag(TenantScopedModel, TagBase):
    """Tags are per dispensary: one tenant's vocabulary never shows up in another's admin."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, allow_unicode=True)

    class Meta:
        verbose_name = "article tag"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="article_tag_name_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "slug"], name="article_tag_slug_per_tenant"),
        ]


class ArticlePageTag(ItemBase):
    tag = models.ForeignKey(ArticleTag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = ParentalKey("pages.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class WireIndexPage(RoutablePageMixin, StorefrontPage):
    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "The Wire (news index)"

    def articles(self):
        return (
            public(ArticlePage.objects.child_of(self).live())
            .select_related("category")
            .order_by("-date", "-pk")
        )

    @path("")
    def index(self, request):
        from themes.fragments import kept_count

        articles = self.articles()
        category_slug, tag_slug = request.GET.get("category", ""), request.GET.get("tag", "")
        category = ArticleCategory.objects.filter(slug=category_slug).first() if category_slug else None
        tag = ArticleTag.objects.filter(slug=tag_slug).first() if tag_slug else None
        if category:
            articles = articles.filter(category=category)
        if tag:
            articles = articles.filter(tagged_items__tag=tag)
        paginator = Paginator(articles, ARTICLES_PER_PAGE)
        vary = [self.pk, getattr(category, "pk", ""), getattr(tag, "pk", "")]
        paginator.__dict__["count"] = kept_count(request, "wire-count", vary, articles)
        page = paginator.get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "articles": page,
                "categories": ArticleCategory.objects.all(),
                "active_category": category,
                "active_tag": tag,
            },
        )

    @path("feed/")
    def feed(self, request):
        from themes.fragments import cached_response

        return cached_response(request, "feed", [self.pk], lambda: self._feed(request))

    def _feed(self, request) -> HttpResponse:
        tenant = request.tenant
        feed = Rss201rev2Feed(
            title=f"{tenant.name}: {self.title}",
            link=self.canonical_url(tenant),
            description=f"News from {tenant.name}",
            language="en",
            feed_url=tenant_absolute_url(tenant, self.tenant_path(tenant) + "feed/"),
        )
        for article in self.articles()[:20]:
            url = article.canonical_url(tenant)
            feed.add_item(
                title=article.title,
                link=url,
                unique_id=url,
                description=article.intro,
                author_name=article.author_name or tenant.name,
                pubdate=timezone.make_aware(
                    timezone.datetime.combine(article.date, timezone.datetime.min.time())
                ),
                categories=[article.category.name] if article.category else None,
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response


class ArticlePage(StorefrontPage):
    date = models.DateField("published on", default=timezone.localdate)
    author_name = models.CharField("author", max_length=120, blank=True)
    intro = models.TextField(blank=True)
    featured_image = models.ForeignKey(
        "media.TenantImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        ArticleCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    conditions = ParentalManyToManyField("pages.ConditionPage", blank=True, related_name="articles")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = StorefrontPage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author_name"), FieldPanel("category"), FieldPanel("tags")],
            heading="About the article",
        ),
        FieldPanel("intro"),
        FieldPanel("featured_image"),
        FieldPanel("body"),
        FieldPanel("conditions"),
    ]
    search_fields = StorefrontPage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["pages.WireIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = "article"

    @property
    def reading_time(self) -> int:
        """Minutes, rounded up, at an unhurried reading pace."""
        text = " ".join([self.intro, strip_tags(str(self.body))])
        return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))

    def related_articles(self):
        siblings = public(ArticlePage.objects.live().sibling_of(self, inclusive=False))
        tag_ids = list(self.tagged_items.values_list("tag_id", flat=True))
        related = siblings.filter(
            models.Q(category=self.category_id) | models.Q(tagged_items__tag__in=tag_ids)
        )
        return (
            related.distinct().order_by("-date")[:3]
            if (self.category_id or tag_ids)
            else siblings.order_by("-date")[:3]
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: read only when the {% fragment %} around them is not cached.
        context["related_articles"] = SimpleLazyObject(lambda: list(self.related_articles()))
        return context

    def structured_data(self, request):
        tenant = request.tenant
        return {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.intro,
            "datePublished": self.date.isoformat(),
            "author": {
                "@type": "Person" if self.author_name else "Organization",
                "name": self.author_name or tenant.name,
            },
            "publisher": {"@type": "Organization", "name": tenant.name},
            "mainEntityOfPage": self.canonical_url(tenant),
        }
