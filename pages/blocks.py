"""The shared StreamField block library for storefront pages."""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


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


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()

    class Meta:
        template = "blocks/body.html"
