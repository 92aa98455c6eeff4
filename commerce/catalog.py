"""Regional gating in one place: which products a shopper may see, find, link to and buy.

A product is sellable to a request when it is published (inside its publication window)
and available in the tenant's country and, for a patient whose country is known, in the
patient's country too. The catalog page, product detail, search, cart and order
placement all ask this module, so a product gated out of a country has no way in.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest

from commerce.models import Product, ProductQuerySet


def patient_profile(request: HttpRequest):
    """The signed-in user's PatientProfile (or None), read once per request: the checkout and
    the product gating of the same request both need it."""
    if "_patient_profile" not in request.__dict__:
        from kyc.models import PatientProfile

        user = getattr(request, "user", None)
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        request._patient_profile = PatientProfile.objects.filter(user=user).first() if signed_in else None
    return request._patient_profile


def sellable_products(tenant, *, country: str = "") -> ProductQuerySet:
    """Products of ``tenant`` that may be listed and sold (to a shopper in ``country``)."""
    products = Product.objects.for_tenant(tenant).published().available_in(tenant.country_code)
    if country and country.upper() != tenant.country_code:
        products = products.available_in(country)
    return products


def shopper_country(request: HttpRequest) -> str:
    """The country of the shopper's patient profile, when the KYC record knows it."""
    profile = patient_profile(request)
    return (getattr(profile, "country_code", "") or "").upper() if profile else ""


def products_for_request(request: HttpRequest) -> ProductQuerySet:
    return sellable_products(request.tenant, country=shopper_country(request))


def get_sellable_product(request: HttpRequest, **lookup) -> Product:
    """The product if this shopper may see it, else 404 (gated products do not exist here)."""
    try:
        return products_for_request(request).get(**lookup)
    except (Product.DoesNotExist, ValueError) as exc:
        raise Http404("No such product") from exc


def search_products(request: HttpRequest, query: str) -> ProductQuerySet:
    """Site search over the sellable products only."""
    words = query.split()[:8]
    products = products_for_request(request)
    for word in words:
        products = products.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(terpenes__icontains=word)
            | Q(sku__iexact=word)
        )
    return products


SORTS = {
    "name": ("Name", ["name"]),
    "price": ("Price: low to high", ["price", "name"]),
    "-price": ("Price: high to low", ["-price", "name"]),
    "-thc": ("THC: high to low", ["-thc_percent", "name"]),
    "-cbd": ("CBD: high to low", ["-cbd_percent", "name"]),
}


class CatalogFilterForm(forms.Form):
    """The catalog's filters; invalid values are reported and that filter is ignored."""

    strain_type = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *Product.StrainType.choices], label="Type"
    )
    form = forms.ChoiceField(required=False, choices=[("", "Any form"), *Product.Form.choices])
    thc_min = forms.DecimalField(
        required=False, min_value=0, max_digits=7, decimal_places=2, label="THC from"
    )
    thc_max = forms.DecimalField(required=False, min_value=0, max_digits=7, decimal_places=2, label="THC to")
    cbd_min = forms.DecimalField(
        required=False, min_value=0, max_digits=7, decimal_places=2, label="CBD from"
    )
    cbd_max = forms.DecimalField(required=False, min_value=0, max_digits=7, decimal_places=2, label="CBD to")
    in_stock = forms.BooleanField(required=False, label="In stock only")
    sort = forms.ChoiceField(required=False, choices=[(k, label) for k, (label, _) in SORTS.items()])

    def clean(self):
        data = super().clean()
        for low, high in (("thc_min", "thc_max"), ("cbd_min", "cbd_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, "Must not be lower than the lower bound.")
        return data

    def apply(self, products: ProductQuerySet) -> ProductQuerySet:
        if not self.is_bound:
            return products.order_by(*SORTS["name"][1])
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        if data.get("strain_type"):
            products = products.filter(strain_type=data["strain_type"])
        if data.get("form"):
            products = products.filter(form=data["form"])
        bounds = {
            "thc_min": "thc_percent__gte",
            "thc_max": "thc_percent__lte",
            "cbd_min": "cbd_percent__gte",
            "cbd_max": "cbd_percent__lte",
        }
        for field, lookup in bounds.items():
            value: Decimal | None = data.get(field)
            if value is not None:
                products = products.filter(**{lookup: value})
        if data.get("in_stock"):
            products = products.filter(stock__gt=0)
        return products.order_by(*SORTS[data.get("sort") or "name"][1])

    def cache_vary(self) -> str | None:
        """What the rendered listing depends on, if it may be cached (call after :meth:`apply`).

        Only the finite choices are: free numeric bounds or invalid input would let every
        visitor mint a new cache entry, so those listings are rendered each time.
        """
        if not self.is_bound:
            return "all"
        bounds = ("thc_min", "thc_max", "cbd_min", "cbd_max")
        if self.errors or any(self.cleaned_data.get(name) is not None for name in bounds):
            return None
        data = self.cleaned_data
        return "|".join(str(data.get(name) or "") for name in ("strain_type", "form", "in_stock", "sort"))
