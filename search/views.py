from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wagtail.models import Page

from commerce.catalog import search_products
from sites.decorators import storefront_view


@storefront_view
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    products = []
    if query:
        root = request.tenant.site.root_page
        results = Page.objects.live().public().descendant_of(root, inclusive=True).search(query)
        # Products are searched through the catalog's gating: a product not sold in this
        # country is never found here.
        products = list(search_products(request, query)[:20])
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": page, "products": products})
