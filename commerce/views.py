from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sites.decorators import storefront_view


@storefront_view
def cart(request: HttpRequest) -> HttpResponse:
    # The cart lands with commerce; until then it is always empty.
    return render(request, "commerce/cart.html", {"lines": []})


@storefront_view
@login_required(login_url="storefront:login")
def checkout(request: HttpRequest) -> HttpResponse:
    from kyc.models import PatientProfile

    profile = PatientProfile.objects.filter(user=request.user).first()
    return render(request, "commerce/checkout.html", {"profile": profile})
