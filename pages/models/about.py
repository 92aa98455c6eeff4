from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from pages.blocks import BodyBlock

from .base import StorefrontPage


class AboutPage(StorefrontPage):
    body = StreamField(BodyBlock(), blank=True, verbose_name="our story")

    content_panels = StorefrontPage.content_panels + [
        FieldPanel("body"),
        InlinePanel("gallery_images", label="Facilities gallery"),
    ]
    search_fields = StorefrontPage.search_fields + [index.SearchField("body")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "about page"


class AboutGalleryImage(Orderable):
    page = ParentalKey(AboutPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("media.TenantImage", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]
