import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wagtail.models import Page

from sites.decorators import storefront_view

# Full-text backends give punctuation their own meaning (SQLite's FTS5 refuses a stray
# quote or angle bracket outright); words are all a storefront search needs.
_NOT_A_WORD = re.compile(r"[^\w\s]+")


def search_terms(query: str) -> str:
    return " ".join(_NOT_A_WORD.sub(" ", query).split())


@storefront_view
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if search_terms(query):
        root = request.tenant.site.root_page
        results = Page.objects.live().public().descendant_of(root, inclusive=True).search(search_terms(query))
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": page})
