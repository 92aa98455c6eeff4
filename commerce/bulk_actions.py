"""Bulk publish / unpublish of products in the snippet listing."""

from __future__ import annotations

from django.utils.text import capfirst

from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from commerce.models import Product


class _ProductPublication(SnippetBulkAction):
    models = [Product]
    template_name = "commerce/admin/confirm_bulk_publication.html"
    publish = True

    def check_perm(self, snippet) -> bool:
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "change", snippet)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        # Through the scoped manager: only the current tenant's rows can change.
        count = Product.objects.filter(pk__in=[p.pk for p in objects]).update(is_published=cls.publish)
        return count, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        verb = "published" if self.publish else "unpublished"
        return f"{num_parent_objects} {capfirst(Product._meta.verbose_name_plural)} {verb}."

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "verb": self.display_name}


class PublishProducts(_ProductPublication):
    display_name = "Publish"
    action_type = "publish"
    aria_label = "Publish selected products"
    action_priority = 10


class UnpublishProducts(_ProductPublication):
    display_name = "Unpublish"
    action_type = "unpublish"
    aria_label = "Unpublish selected products"
    action_priority = 20
    publish = False
