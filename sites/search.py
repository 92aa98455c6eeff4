"""Teach Wagtail search about the tenant scope condition of scoped managers.

Searching a queryset makes the search backend walk its WHERE tree to check that every
condition is on a ``FilterField``. The condition a tenant-scoped manager adds
(:class:`~sites.models.scoped.InCurrentScope`) is an expression, not a column lookup,
and the walk fails on it. The database backends only *check* the tree and then run the
queryset's own SQL, where the scope condition is compiled as usual, so the check may
pass over it. A backend that translates the filters into its own query language
(Elasticsearch, OpenSearch) would drop the condition, so there it stays an error: fail
closed rather than search every tenant's rows.
"""

from __future__ import annotations

from django.db.models.lookups import Lookup

from modelsearch.backends.base import BaseSearchQueryCompiler, FilterError

from sites.models.scoped import InCurrentScope

_original = BaseSearchQueryCompiler._get_filters_from_where_node


def _get_filters_from_where_node(self, where_node, check_only=False):
    if isinstance(where_node, Lookup) and isinstance(where_node.lhs, InCurrentScope):
        if check_only:
            return None
        raise FilterError(
            "This search backend cannot apply the tenant scope; use the database search backend."
        )
    return _original(self, where_node, check_only=check_only)


def install() -> None:
    if BaseSearchQueryCompiler._get_filters_from_where_node is not _get_filters_from_where_node:
        BaseSearchQueryCompiler._get_filters_from_where_node = _get_filters_from_where_node
