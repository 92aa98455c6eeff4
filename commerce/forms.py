"""Storefront forms of commerce: cart lines and the delivery address."""

from __future__ import annotations

from django import forms

import pycountry

from commerce.cart import MAX_QUANTITY


class CartLineForm(forms.Form):
    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, initial=1)


class DeliveryAddressForm(forms.Form):
    name = forms.CharField(max_length=200, label="Full name")
    line1 = forms.CharField(max_length=200, label="Address line 1")
    line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    city = forms.CharField(max_length=100, label="Town or city")
    postcode = forms.CharField(max_length=20)
    country = forms.ChoiceField(help_text="We deliver only within the dispensary's country.")

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        country = pycountry.countries.get(alpha_2=tenant.country_code)
        self.fields["country"].choices = [
            (tenant.country_code, country.name if country else tenant.country_code)
        ]
        self.fields["country"].initial = tenant.country_code

    def clean(self):
        data = super().clean()
        for key, value in list(data.items()):
            if isinstance(value, str):
                data[key] = " ".join(value.split())
        return data
