"""Every list: ``{"count", "next", "previous", "results"}``, ``?page=`` and ``?page_size=``."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
