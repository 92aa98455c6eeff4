from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wagtail.models import Page

from sites.decorators import storefront_view


@storefront_view
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        root = request.tenant.site.root_page
        results = Page.objects.live().public().descendant_of(root, inclusive=True).search(query)
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": page})
