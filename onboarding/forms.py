"""The public application form (the API's serializer validates the same fields)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

import pycountry

from billing.models import Plan
from onboarding.models import APPLICATION_FIELDS, TenantApplication
from onboarding.services import slug_problem
from pages.contact import add_spam_fields
from themes.installer import latest
from themes.models import Theme


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_public=True)


def offered_themes() -> QuerySet[Theme]:
    """The newest installed version of each theme: the one a new storefront gets."""
    ids = [latest(slug).pk for slug in sorted(set(Theme.objects.values_list("slug", flat=True)))]
    return Theme.objects.filter(pk__in=ids).order_by("name")


def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose a country")] + sorted(
        ((country.alpha_2, country.name) for country in pycountry.countries), key=lambda item: item[1]
    )


class ApplicationForm(forms.ModelForm):
    country_code = forms.ChoiceField(label="Country", choices=country_choices)
    # A plain text field: clean_slug lower-cases it and explains what is wrong in our words.
    slug = forms.CharField(
        label="Storefront address",
        max_length=63,
        help_text="Lowercase letters, digits and hyphens; your storefront will live at this name.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "aria-describedby": "slug-status"}
        ),
    )

    class Meta:
        model = TenantApplication
        fields = APPLICATION_FIELDS
        labels = {
            "business_name": "Business name",
            "slug": "Storefront address",
            "contact_name": "Your name",
            "contact_email": "Email",
            "contact_phone": "Phone",
            "licence_number": "Licence number",
            "plan": "Plan",
            "theme": "Theme",
        }
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens; your storefront will live at this name.",
            "licence_number": "Your medical cannabis dispensing licence, as issued by your regulator.",
        }
        widgets = {
            "slug": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "aria-describedby": "slug-status"}
            ),
            "plan": forms.RadioSelect,
            "theme": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = public_plans()
        self.fields["plan"].empty_label = None
        self.fields["theme"].queryset = offered_themes()
        self.fields["theme"].empty_label = None
        add_spam_fields(self)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if problem := slug_problem(slug):
            raise forms.ValidationError(problem)
        return slug

    def validate_unique(self) -> None:
        # The partial unique constraint on pending slugs is answered by clean_slug with a
        # friendlier message (and re-checked by the database on insert).
        pass

    def application_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS}
