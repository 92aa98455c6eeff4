"""Cart, checkout and order confirmation (storefront). Logic lives in cart/orders."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from commerce import cart as carts
from commerce.allowance import AllowanceExceeded, allowance_for
from commerce.catalog import get_sellable_product, patient_profile
from commerce.forms import CartLineForm, DeliveryAddressForm
from commerce.models import Order
from commerce.orders import DeliveryAddress, OrderRefused, place_order
from commerce.stock import InsufficientStock
from sites.decorators import storefront_view
from sites.limits import PlanLimitReached


def _consultation_url() -> str:
    return reverse("wagtail_serve", args=["consultation/"])


@storefront_view
@require_http_methods(["GET", "POST"])
def cart(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Please choose a quantity between 0 and 99.")
            return redirect("storefront:cart")
        # Gated and unpublished products do not exist for this shopper: 404, as their URL.
        product = get_sellable_product(request, pk=form.cleaned_data["product"])
        quantity = form.cleaned_data["quantity"]
        adding = request.POST.get("action") == "add"
        current = next(
            (line.quantity for line in carts.get_cart(request).lines if line.product.pk == product.pk), 0
        )
        wanted = current + quantity if adding else quantity
        if wanted > product.stock:
            messages.error(request, f"Only {product.stock} of “{product.name}” are in stock.")
            return redirect("storefront:cart")
        carts.set_quantity(request, product, wanted)
        if adding:
            messages.success(request, f"Added {quantity} × {product.name} to your cart.")
        return redirect("storefront:cart")
    current = carts.get_cart(request)
    if current.dropped:
        messages.info(request, "Products no longer available to you were left out of your cart.")
    return render(request, "commerce/cart.html", {"cart": current, "lines": current.lines})


@storefront_view
@login_required(login_url="storefront:login")
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    profile = patient_profile(request)
    if profile is None or not profile.is_verified:
        messages.warning(
            request,
            "Only patients whose medical consultation has been verified can order. "
            "Please complete your consultation; we will let you know once you are verified.",
        )
        return redirect(_consultation_url())
    key = request.POST.get("idempotency_key", "")
    if request.method == "POST" and key:
        # A repeated "Place order" (double click, reload): show the order it already made.
        earlier = Order.objects.filter(user=request.user, idempotency_key=key[:128]).first()
        if earlier is not None:
            return redirect("storefront:order_confirmation", reference=earlier.reference)
    current = carts.get_cart(request)
    if not current:
        messages.info(request, "Your cart is empty: add products before checking out.")
        return redirect("storefront:cart")
    allowance = allowance_for(request.user, profile)
    form = DeliveryAddressForm(request.POST or None, tenant=request.tenant)
    context = {"cart": current, "allowance": allowance, "form": form, "profile": profile}
    over_allowance = not allowance.allows(current.flower_grams)
    if over_allowance:
        context["error"] = str(AllowanceExceeded(allowance, current.flower_grams))
    if request.method != "POST" or not form.is_valid() or over_allowance:
        return render(
            request, "commerce/checkout.html", context, status=400 if request.method == "POST" else 200
        )

    if request.POST.get("step") != "place":
        context["idempotency_key"] = uuid.uuid4().hex
        return render(request, "commerce/checkout_review.html", context)

    data = form.cleaned_data
    address = DeliveryAddress(
        name=data["name"],
        line1=data["line1"],
        line2=data["line2"],
        city=data["city"],
        postcode=data["postcode"],
        country=data["country"],
    )
    try:
        placement = place_order(
            request.tenant,
            request.user,
            current.items(),
            address,
            idempotency_key=key,
            request=request,
        )
    except (OrderRefused, InsufficientStock, AllowanceExceeded, PlanLimitReached) as exc:
        context["error"] = str(exc)
        return render(request, "commerce/checkout.html", context, status=409)
    carts.clear(request)
    return redirect("storefront:order_confirmation", reference=placement.order.reference)


@storefront_view
@login_required(login_url="storefront:login")
def order_confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    order = Order.objects.filter(user=request.user, reference=reference).prefetch_related("lines").first()
    if order is None:
        raise Http404("No such order")
    return render(request, "commerce/order_confirmation.html", {"order": order})
