"""/account/ data rights: download everything, request erasure."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sites.audit import record_audit
from sites.decorators import storefront_view
from sites.models import Role

from .data_rights import erase_patient, export_patient_data


class EraseForm(forms.Form):
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label="I understand that my answers and personal data will be erased for good."
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


@storefront_view
@login_required(login_url="storefront:login")
def export_data(request: HttpRequest) -> HttpResponse:
    data = export_patient_data(request.user)
    record_audit("kyc.data_exported", actor=request.user, target=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{request.tenant.slug}-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@storefront_view
@login_required(login_url="storefront:login")
def erase_account(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.PATIENT:
        return redirect("storefront:account")
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        erase_patient(request.user, request=request)
        logout(request)
        return render(request, "kyc/erased.html")
    return render(request, "kyc/erase.html", {"form": form}, status=400 if form.is_bound else 200)
