"""Django's built-in tags for uploaded themes, minus ``{% debug %}`` (it dumps the context)."""

from django import template
from django.template import defaulttags

register = template.Library()
register.tags.update({name: tag for name, tag in defaulttags.register.tags.items() if name != "debug"})
