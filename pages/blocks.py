"""The shared StreamField block library for storefront pages.

Each block renders through ``blocks/<name>.html`` so that themes can restyle it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ValidationError

from wagtail import blocks
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul"]


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "blocks/image_with_caption.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    page = blocks.PageChooserBlock(required=False)
    label = blocks.CharBlock(max_length=60, default="Learn more")

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action.html"


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=250)
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, default="Frequently asked questions")
    items = blocks.ListBlock(FaqItemBlock())

    class Meta:
        icon = "help"
        template = "blocks/faq.html"


class ConditionTeaserBlock(blocks.StructBlock):
    condition = blocks.PageChooserBlock(page_type="pages.ConditionPage")
    text = blocks.TextBlock(required=False, help_text="Defaults to the condition's summary.")

    class Meta:
        icon = "doc-full"
        template = "blocks/condition_teaser.html"


class ProductTeaserBlock(blocks.StructBlock):
    """A product by SKU: gated like the catalog, so an unavailable product shows nothing."""

    sku = blocks.CharBlock(max_length=64, help_text="SKU of one of this dispensary's products.")
    text = blocks.TextBlock(required=False)

    class Meta:
        icon = "tag"
        template = "blocks/product_teaser.html"

    def get_context(self, value, parent_context=None):
        from commerce.catalog import products_for_request

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        tenant = getattr(request, "tenant", None)
        context["product"] = (
            products_for_request(request).filter(sku=value["sku"]).first() if tenant else None
        )
        return context


VIDEO_PATTERNS = {
    "youtube": re.compile(r"^(www\.)?(youtube\.com|youtu\.be|youtube-nocookie\.com)$"),
    "vimeo": re.compile(r"^(www\.|player\.)?vimeo\.com$"),
}


def video_embed_url(url: str) -> str | None:
    """The privacy-friendly player URL for a YouTube or Vimeo link, or None."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    if parsed.scheme != "https":
        return None
    if VIDEO_PATTERNS["youtube"].match(host):
        video_id = (
            parse_qs(parsed.query).get("v", [""])[0]
            if "watch" in parsed.path
            else parsed.path.rsplit("/", 1)[-1]
        )
        if re.fullmatch(r"[\w-]{6,20}", video_id or ""):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if VIDEO_PATTERNS["vimeo"].match(host):
        video_id = parsed.path.rstrip("/").rsplit("/", 1)[-1]
        if video_id.isdigit():
            return f"https://player.vimeo.com/video/{video_id}?dnt=1"
    return None


class VideoUrlBlock(blocks.URLBlock):
    def clean(self, value):
        value = super().clean(value)
        if value and video_embed_url(value) is None:
            raise ValidationError("Use an https YouTube or Vimeo link.")
        return value


class VideoEmbedBlock(blocks.StructBlock):
    """Third-party players load only after the visitor accepts non-essential cookies."""

    url = VideoUrlBlock(help_text="An https YouTube or Vimeo link.")
    title = blocks.CharBlock(max_length=200, help_text="Describes the video for screen readers.")

    class Meta:
        icon = "media"
        template = "blocks/video_embed.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        context["embed_url"] = video_embed_url(value["url"])
        context["consented"] = bool(request and request.COOKIES.get("budstack_consent") == "all")
        return context


class BasicContentBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()


class TwoColumnBlock(blocks.StructBlock):
    left = BasicContentBlock()
    right = BasicContentBlock()

    class Meta:
        icon = "grip"
        template = "blocks/two_column.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    image = ImageWithCaptionBlock()
    call_to_action = CallToActionBlock()
    faq = FaqBlock()
    product_teaser = ProductTeaserBlock()
    condition_teaser = ConditionTeaserBlock()
    quote = QuoteBlock()
    video = VideoEmbedBlock()
    two_column = TwoColumnBlock()

    class Meta:
        template = "blocks/body.html"


class TrustNoticeBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock()

    class Meta:
        icon = "success"
        template = "blocks/trust_notice.html"
