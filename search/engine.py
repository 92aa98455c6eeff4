"""Storefront search: what a shopper may find, ranked, highlighted and counted.

Visibility is decided here at query time, never by the index: a document counts only if
its page is live, public (no view restriction on it or an ancestor) and inside the
tenant's tree, or its product is sellable to this request (published, in its window,
available in the tenant's country and the patient's: :mod:`commerce.catalog`). Totals,
type counts, "did you mean" and autocomplete all start from the same visible set, so
nothing hidden is ever found, counted or suggested.

A page of results is kept like a storefront fragment (:mod:`themes.fragments`): under the
tenant's content version, which every publish, product change and re-index bumps, and
keyed by what decides it (the words, the type, the page number, the shopper's country).
Nothing about the visitor beyond that country goes into it.

PostgreSQL: ``websearch_to_tsquery`` against the weighted vector (title A, summary B,
body C) in the tenant's configuration, ranked with ``ts_rank``, snippets from
``ts_headline``, misspellings answered with ``pg_trgm`` word similarity. SQLite (local
development): word-by-word ``LIKE`` and snippets cut in Python.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat, Length, Lower, Substr
from django.db.models.lookups import Exact
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from wagtail.models import Page, PageViewRestriction

from commerce.catalog import products_for_request
from pages.routing import has_view_restrictions
from search.language import regconfig_for
from search.models import SearchDocument
from sites.context import get_current_tenant
from themes.fragments import fragment_key

PER_PAGE = 10
SUGGEST_LIMIT = 8
MAX_WORDS = 8
# Private-use characters stand in for <mark> until the snippet has been escaped.
START, STOP = "\ue000", "\ue001"
_NOT_A_WORD = re.compile(r"[^\w\s]+")
TYPE_LABELS = dict(SearchDocument.Kind.choices)
TYPE_PLURALS = {"product": "Products", "article": "Articles", "condition": "Conditions", "page": "Pages"}


def search_terms(query: str) -> str:
    """Only words: full-text syntax (quotes, operators, FTS5 specials) has no say here."""
    return " ".join(_NOT_A_WORD.sub(" ", query).split()[:MAX_WORDS])


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def public_pages(root: Page) -> QuerySet[Page]:
    """Live pages of ``root``'s tree with no view restriction on them or an ancestor.

    Wagtail's ``.public()`` first loads every restriction of every site (one query, and
    a list that grows with the platform); this asks the same in the query itself.
    """
    pages = Page.objects.live().descendant_of(root, inclusive=True)
    tenant = get_current_tenant()
    if tenant is not None and tenant.site.root_page_id == root.pk and not has_view_restrictions(tenant):
        return pages  # the usual case, known per content version: no private page at all
    restricted = PageViewRestriction.objects.filter(page__path__startswith=root.path).filter(
        Exact(Substr(OuterRef("path"), 1, Length("page__path")), F("page__path"))
    )
    return pages.filter(~Exists(restricted))


def visible_documents(request: HttpRequest) -> QuerySet[SearchDocument]:
    tenant = request.tenant
    pages = public_pages(tenant.site.root_page).values("pk")
    products = products_for_request(request).values("pk")
    return SearchDocument.objects.filter(tenant=tenant).filter(
        Q(source=SearchDocument.Source.PAGE, object_id__in=pages)
        | Q(source=SearchDocument.Source.PRODUCT, object_id__in=products)
    )


def _matching(documents: QuerySet, terms: str, config: str) -> QuerySet:
    if is_postgres():
        query = SearchQuery(terms, config=config, search_type="websearch")
        return documents.filter(vector=query).annotate(rank=SearchRank(F("vector"), query))
    for word in terms.split():
        documents = documents.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return documents.annotate(
        rank=Case(When(title__icontains=terms, then=Value(3)), default=Value(1), output_field=IntegerField())
    )


def highlight(marked: str) -> SafeString:
    """Escape everything, then turn the sentinels into <mark>: markup can only come from us."""
    escaped = html.escape(marked.replace(START, "\0s").replace(STOP, "\0e"))
    return mark_safe(escaped.replace("\0s", "<mark>").replace("\0e", "</mark>"))  # noqa: S308 - escaped above


def python_snippet(text: str, terms: str, width: int = 180) -> SafeString:
    """The SQLite fallback of ts_headline: a window around the first match, words marked."""
    text = " ".join((text or "").replace(START, "").replace(STOP, "").split())
    words = [re.escape(w) for w in terms.split() if w]
    if not words:
        return highlight(text[:width])
    pattern = re.compile(r"(" + "|".join(words) + r")", re.IGNORECASE)
    found = pattern.search(text)
    start = max(0, found.start() - width // 3) if found else 0
    window = text[start : start + width]
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return highlight(prefix + pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window) + suffix)


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: SafeString

    @property
    def label(self) -> str:
        return TYPE_LABELS.get(self.kind, "Page")


@dataclass
class Results:
    query: str
    terms: str
    kind: str = ""
    total: int = 0
    facets: list[tuple[str, str, int]] = field(default_factory=list)
    page: PaginatorPage | None = None
    hits: list[Hit] = field(default_factory=list)
    did_you_mean: str = ""
    suggestions: list[Hit] = field(default_factory=list)


def _urls(request: HttpRequest, docs: list[SearchDocument]) -> dict[tuple[str, int], str]:
    urls: dict[tuple[str, int], str] = {}
    page_ids = [d.object_id for d in docs if d.source == SearchDocument.Source.PAGE]
    if page_ids:
        # Found pages are inside the tenant's tree (visible_documents): their URL is the
        # store's root URL plus their path below the root, without loading each page.
        home = reverse("wagtail_serve", args=[""])
        root_path = request.tenant.site.root_page.url_path
        for pk, url_path in Page.objects.filter(pk__in=page_ids).values_list("pk", "url_path"):
            urls[("page", pk)] = home + url_path[len(root_path) :]
    catalog = reverse("wagtail_serve", args=["products/"])
    for doc in docs:
        if doc.source == SearchDocument.Source.PRODUCT:
            urls[("product", doc.object_id)] = f"{catalog}{doc.slug}/"
    return urls


def run_search(request: HttpRequest, query: str, kind: str = "", page_number: str | None = None) -> Results:
    terms = search_terms(query)
    results = Results(query=query, terms=terms, kind=kind if kind in TYPE_LABELS else "")
    if not terms:
        return results
    seconds = settings.FRAGMENT_CACHE_SECONDS
    page = _cacheable_page_number(page_number)
    if seconds <= 0 or page is None or getattr(request, "is_preview", False):
        return _search(request, results, page_number)
    # Case does not change what is found; the words the visitor typed are put back below.
    key = fragment_key(request, "search-results", [terms.lower(), results.kind, page])
    # Redis only, not the worker-local layer (pages.versioned_cache): visitors' questions are
    # many and each is asked rarely, and they would push the routes and fragments every
    # page needs out of its few hundred entries.
    found = cache.get(key)
    if found is None:
        found = _search(request, results, page)
        cache.set(key, found, seconds)
    return replace(found, query=query, terms=terms)


def _cacheable_page_number(page_number: str | None) -> int | None:
    """The page as a number if its answer may be kept; free text would mint a key per visitor."""
    if page_number in (None, ""):
        return 1
    if page_number.isdigit() and len(page_number) <= 3:
        return int(page_number)
    return None


def _search(request: HttpRequest, results: Results, page_number: str | int | None) -> Results:
    terms = results.terms
    config = regconfig_for(request.tenant)
    matching = _matching(visible_documents(request), terms, config)
    ranked = _with_snippets(matching, terms, config).order_by("-rank", "title", "pk")
    first_page = None
    if not results.kind and str(page_number or "1") == "1":
        # The usual request, the first page of everything: one scan ranks the page and
        # counts each type over the whole result (window counts), instead of two.
        first_page = list(ranked.annotate(**_TYPE_COUNTS)[:PER_PAGE])
        counts = {kind: getattr(first_page[0], f"n_{kind}") for kind in TYPE_PLURALS} if first_page else {}
    else:
        counts = dict(matching.order_by().values_list("kind").annotate(n=Count("pk")))
    results.facets = [(k, TYPE_PLURALS[k], counts[k]) for k in TYPE_PLURALS if counts.get(k)]
    results.total = counts.get(results.kind, 0) if results.kind else sum(counts.values())
    if results.total == 0:
        results.did_you_mean = did_you_mean(request, terms)
        results.suggestions = fallback_suggestions(request)
        return results
    # What templates read of the page (numbers, links), over positions instead of the
    # queryset, so that the results can be kept in the cache.
    positions = Paginator(range(results.total), PER_PAGE)
    if first_page is not None:
        results.page, docs = positions.page(1), first_page
    else:
        if results.kind:
            ranked = ranked.filter(kind=results.kind)
        results.page = positions.get_page(page_number)
        docs = list(ranked[results.page.start_index() - 1 : results.page.end_index()])
    urls = _urls(request, docs)
    for doc in docs:
        snippet = (
            highlight(doc.snippet) if is_postgres() else python_snippet(f"{doc.summary} {doc.body}", terms)
        )
        results.hits.append(Hit(doc.kind, doc.title, urls.get((doc.source, doc.object_id), ""), snippet))
    return results


# n_<kind>: how many of the whole result are of that kind, on every row of a ranked page.
_TYPE_COUNTS = {f"n_{kind}": Window(Count("pk", filter=Q(kind=kind))) for kind in TYPE_PLURALS}


def _with_snippets(matching: QuerySet, terms: str, config: str) -> QuerySet:
    """Hits as a page shows them. PostgreSQL writes the snippets (``ts_headline``, only for
    the rows of the page: it evaluates the headline after the sort and limit)."""
    if not is_postgres():
        return matching.defer("vector")
    headline = SearchHeadline(
        Concat("summary", Value(" "), "body", output_field=TextField()),
        SearchQuery(terms, config=config, search_type="websearch"),
        config=config,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    # The vector and the body stay in the database: a page of hits would otherwise carry
    # every document's whole text and lexemes.
    return matching.annotate(snippet=headline).defer("vector", "body")


def did_you_mean(request: HttpRequest, terms: str) -> str:
    """The closest visible title of this tenant to a query that found nothing."""
    documents = visible_documents(request)
    if is_postgres():
        best = (
            documents.annotate(similarity=TrigramWordSimilarity(Value(terms.lower()), Lower("title")))
            .filter(similarity__gte=0.4)
            .order_by("-similarity", "title")
            .values_list("title", flat=True)
            .first()
        )
        return best or ""
    titles = list(documents.values_list("title", flat=True)[:2000])
    lowered = {t.lower(): t for t in titles}
    close = difflib.get_close_matches(terms.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else ""


def fallback_suggestions(request: HttpRequest, limit: int = 5) -> list[Hit]:
    """Somewhere to go after a miss: the tenant's condition pages (what patients look for)."""
    docs = list(
        visible_documents(request).filter(kind=SearchDocument.Kind.CONDITION).order_by("title")[:limit]
    )
    urls = _urls(request, docs)
    return [Hit(d.kind, d.title, urls.get((d.source, d.object_id), ""), SafeString("")) for d in docs]


def suggest(request: HttpRequest, query: str, limit: int = SUGGEST_LIMIT) -> list[dict[str, str]]:
    """Autocomplete: visible titles whose words start with what was typed."""
    words = search_terms(query).split()
    if not words or len(" ".join(words)) < 2:
        return []
    documents = visible_documents(request)
    if is_postgres():
        # Title words only (weight A), the last one as a prefix: "blue dre" -> blue:A & dre:*A.
        raw = " & ".join([f"{w}:A" for w in words[:-1]] + [f"{words[-1]}:*A"])
        query = SearchQuery(raw, config=regconfig_for(request.tenant), search_type="raw")
        documents = documents.filter(vector=query).annotate(rank=SearchRank(F("vector"), query))
        documents = documents.order_by("-rank", "title")
    else:
        for word in words:
            documents = documents.filter(Q(title__istartswith=word) | Q(title__icontains=f" {word}"))
        documents = documents.order_by("title")
    docs = list(documents.only("source", "object_id", "kind", "title", "slug")[:limit])
    urls = _urls(request, docs)
    return [
        {
            "title": d.title,
            "type": TYPE_LABELS.get(d.kind, "Page"),
            "url": urls.get((d.source, d.object_id), ""),
        }
        for d in docs
    ]
