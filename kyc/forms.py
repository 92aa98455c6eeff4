"""The five consultation steps as forms: each validates its own answers on the server.

A step's cleaned data is stored as JSON (dates as ISO strings, yes/no as booleans) and
read back as the form's initial data. :func:`validate_all` re-runs every step on stored
answers before a submission, so nothing reaches Dr. Green that a step would refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation

import pycountry

from sites.models import User

YES_NO = [("yes", "Yes"), ("no", "No")]
GENDERS = [("male", "Male"), ("female", "Female"), ("other", "Other / prefer not to say")]
DURATIONS = [
    ("less_than_3_months", "Less than 3 months"),
    ("3_to_12_months", "3 to 12 months"),
    ("more_than_12_months", "More than 12 months"),
]
TREATMENTS = [
    ("painkillers", "Over-the-counter painkillers"),
    ("opioids", "Opioids"),
    ("anti_inflammatories", "Anti-inflammatories (NSAIDs)"),
    ("antidepressants", "Antidepressants"),
    ("anticonvulsants", "Anticonvulsants"),
    ("sleep_medication", "Sleep medication"),
    ("physiotherapy", "Physiotherapy"),
    ("talking_therapy", "Talking therapy (CBT, counselling)"),
]
FREQUENCIES = [
    ("everyday", "Every day"),
    ("every_other_day", "Every other day"),
    ("1_2_times_per_week", "Once or twice a week"),
    ("never", "Never"),
]
ROUTES = [
    ("smoking_joints", "Smoking (joints)"),
    ("vaporizing", "Vaporizing"),
    ("ingestion", "Edibles or oils (ingestion)"),
    ("topical", "Topical"),
    ("never", "Never used"),
]
# Answers that rule treatment out; a "yes" stops the flow at step 4 and at submission.
KNOCKOUTS = {
    "psychosis": "Have you ever been diagnosed with psychosis, schizophrenia or bipolar disorder?",
    "pregnant_or_breastfeeding": "Are you pregnant, planning a pregnancy or breastfeeding?",
    "heart_condition": "Do you have a serious heart condition (heart failure, arrhythmia, recent heart attack)?",
}
HISTORY_QUESTIONS = {
    "family_history_psychosis": "Has a close relative been diagnosed with psychosis or schizophrenia?",
    "liver_disease": "Do you have liver disease?",
    "kidney_disease": "Do you have kidney disease?",
    "epilepsy": "Do you have epilepsy or seizures?",
    "substance_dependence": "Have you ever been dependent on alcohol or drugs?",
    "depression_or_anxiety": "Are you being treated for depression or anxiety?",
    "under_specialist_care": "Are you under the care of a specialist for your condition?",
    "operates_machinery": "Do you drive or operate machinery for work?",
    "treatments_failed": "Have the treatments you tried failed to relieve your symptoms enough?",
    "used_cannabis_before": "Have you used cannabis before?",
}


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question: leaving it out of a post is an error, not a "no"."""

    def __init__(self, label: str, **kwargs: Any):
        super().__init__(
            label=label,
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class StepForm(forms.Form):
    step: int = 0

    def __init__(self, *args: Any, tenant=None, page=None, user=None, **kwargs: Any):
        self.tenant, self.page, self.user = tenant, page, user
        initial = kwargs.pop("initial", None) or {}
        super().__init__(*args, initial=self.to_initial(initial), **kwargs)

    def to_initial(self, stored: dict[str, Any]) -> dict[str, Any]:
        return dict(stored)

    def answers(self) -> dict[str, Any]:
        """The cleaned data as JSON-ready answers (what the draft stores)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if name not in ("email", "password")
        }


class PersonalForm(StepForm):
    step = 1
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="As on your identity document."
    )
    gender = forms.ChoiceField(choices=GENDERS)
    phone_code = forms.RegexField(
        regex=r"^\+\d{1,4}$", max_length=5, initial="+44", help_text="Country calling code, e.g. +44."
    )
    contact_number = forms.RegexField(
        regex=r"^\d{6,15}$", max_length=15, error_messages={"invalid": "Enter 6 to 15 digits, no spaces."}
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.user is None or not self.user.is_authenticated:
            # Creating the patient's account is part of the first step.
            self.fields["email"] = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
            self.fields["password"] = forms.CharField(
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text="Choose a password to come back and finish later.",
            )

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = date.today()
        minimum = self.page.minimum_age if self.page else 18
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        if _age(born, today) < minimum:
            raise forms.ValidationError(f"You must be at least {minimum} years old to use this service.")
        return born

    def clean_email(self) -> str:
        # Whether the address already has an account is not this form's to say: the
        # view answers both cases alike (kyc.views._start_for_visitor), so it is not revealed.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class AddressForm(StepForm):
    step = 2
    address1 = forms.CharField(label="Address line 1", max_length=200)
    address2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100)
    state = forms.CharField(label="County / region", max_length=100, required=False)
    postal_code = forms.CharField(max_length=20)
    country = forms.ChoiceField(help_text="We can only deliver to the countries listed.")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        codes = self.page.served_countries(self.tenant) if self.page and self.tenant else []
        self.fields["country"].choices = [(code, _country_name(code)) for code in codes]


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def condition_choices(tenant) -> list[tuple[str, str]]:
    """The tenant's conditions library (live condition pages), as (slug, title)."""
    from pages.models import ConditionPage

    if tenant is None:
        return []
    pages = ConditionPage.objects.live().descendant_of(tenant.root_page).order_by("title")
    return [(page.slug, page.title) for page in pages]


class ConditionsForm(StepForm):
    step = 3
    conditions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Conditions you seek treatment for"
    )
    other_condition = forms.CharField(
        label="Another condition (describe it)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    condition_duration = forms.ChoiceField(choices=DURATIONS, widget=forms.RadioSelect, label="For how long?")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = condition_choices(self.tenant)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("conditions") and not (cleaned.get("other_condition") or "").strip():
            raise forms.ValidationError("Choose at least one condition or describe yours.")
        return cleaned


class HistoryForm(StepForm):
    step = 4
    current_medication = forms.CharField(
        label="Medicines and supplements you take now",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Include doses if you know them; leave empty if none.",
    )
    previous_treatments = forms.MultipleChoiceField(
        choices=TREATMENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Treatments you have tried",
    )
    other_treatments = forms.CharField(label="Other treatments tried", required=False, max_length=500)
    allergies = forms.CharField(label="Allergies (comma-separated)", required=False, max_length=300)
    cannabis_frequency = forms.ChoiceField(
        choices=FREQUENCIES, widget=forms.RadioSelect, label="How often do you use cannabis now?"
    )
    cannabis_routes = forms.MultipleChoiceField(
        choices=ROUTES, widget=forms.CheckboxSelectMultiple, label="How have you taken cannabis?"
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, question in {**KNOCKOUTS, **HISTORY_QUESTIONS}.items():
            self.fields[name] = YesNoField(question)

    def clean_cannabis_routes(self) -> list[str]:
        routes = self.cleaned_data["cannabis_routes"]
        if "never" in routes and len(routes) > 1:
            raise forms.ValidationError("“Never used” cannot be combined with a way of taking cannabis.")
        return routes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(cleaned.get(name) is True for name in KNOCKOUTS):
            text = self.page.knockout_text if self.page else ""
            raise forms.ValidationError(
                text or "Based on your answers we cannot offer treatment.", code="knockout"
            )
        return cleaned


class ConsentForm(StepForm):
    step = 5
    consent_data_processing = forms.BooleanField(
        label="I agree that my health data is processed to assess my eligibility and to register me with the supplier."
    )
    consent_terms = forms.BooleanField(label="I accept the terms of service.")
    consent_truthful = forms.BooleanField(label="I confirm that my answers are true and complete.")


STEP_FORMS: dict[int, type[StepForm]] = {
    form.step: form for form in (PersonalForm, AddressForm, ConditionsForm, HistoryForm, ConsentForm)
}
STEPS = tuple(STEP_FORMS)


class ConsultationInvalid(Exception):
    def __init__(self, step: int, errors: dict[str, Any]):
        super().__init__(f"step {step} is invalid: {errors}")
        self.step = step
        self.errors = errors


def _as_post(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as form data (yes/no booleans back to their choices)."""
    data: dict[str, Any] = {}
    for name, value in stored.items():
        data[name] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data


def validate_all(answers: dict[str, Any], *, tenant, page, user) -> dict[str, Any]:
    """Every step re-validated from stored answers; raises ConsultationInvalid at the first bad one."""
    from django.utils.datastructures import MultiValueDict

    validated: dict[str, Any] = {}
    for step, form_class in STEP_FORMS.items():
        stored = _as_post(answers.get(f"step{step}") or {})
        data = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in stored.items()})
        form = form_class(data, tenant=tenant, page=page, user=user)
        if not form.is_valid():
            raise ConsultationInvalid(step, form.errors.get_json_data())
        validated[f"step{step}"] = form.answers()
    return validated
