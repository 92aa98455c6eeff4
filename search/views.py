from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.engine import TYPE_PLURALS, run_search, suggest
from search.querylog import record_query
from sites.decorators import storefront_view


@require_GET
@storefront_view
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = run_search(request, query, request.GET.get("type", ""), request.GET.get("page"))
    context = {"query": query, "search": results, "type_plurals": TYPE_PLURALS}
    response = render(request, "search/search.html", context)
    # Counted last: the upsert locks the query's row until the request's transaction ends,
    # and visitors asking the same question at once would otherwise wait out the rendering.
    if results.terms and request.GET.get("page") in (None, "", "1"):
        record_query(request.tenant, query, results.total)
    return response


@require_GET
@storefront_view
def suggest_view(request: HttpRequest) -> JsonResponse:
    query = request.GET.get("q", "").strip()[:100]
    response = JsonResponse({"query": query, "suggestions": suggest(request, query)})
    # What is sellable depends on the signed-in patient's country: never a shared cache.
    response["Cache-Control"] = "private, max-age=60"
    return response
