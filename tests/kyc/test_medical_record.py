"""Every consultation answer lands in exactly the medicalRecord field DRGREEN_API.md names."""

from __future__ import annotations

import pytest

from kyc import forms as steps
from kyc.medical_record import HISTORY, client_registration

ANSWERS = {
    "step1": {
        "first_name": "Ana",
        "last_name": "Silva",
        "date_of_birth": "1985-04-12",
        "gender": "female",
        "phone_code": "+351",
        "contact_number": "912345678",
    },
    "step2": {
        "address1": "Rua Augusta 1",
        "address2": "2º Esq",
        "city": "Lisboa",
        "state": "Lisboa",
        "postal_code": "1100-048",
        "country": "PT",
    },
    "step3": {
        "conditions": ["chronic-pain", "insomnia"],
        "other_condition": "Migraine",
        "condition_duration": "3_to_12_months",
    },
    "step4": {
        "heart_condition": False,
        "psychosis": False,
        "pregnant_or_breastfeeding": False,
        "family_history_psychosis": True,
        "liver_disease": False,
        "kidney_disease": True,
        "epilepsy": False,
        "substance_dependence": True,
        "depression_or_anxiety": False,
        "allergies": "penicillin, latex",
        "used_cannabis_before": True,
        "cannabis_frequency": "every_other_day",
        "cannabis_routes": ["vaporizing", "topical"],
        "operates_machinery": True,
        "under_specialist_care": False,
        "treatments_failed": True,
        "current_medication": "Sertraline 50mg",
        "previous_treatments": ["opioids", "physiotherapy"],
        "other_treatments": "Acupuncture",
    },
}


@pytest.fixture
def body():
    return client_registration("Ana.Silva@Example.com", ANSWERS).to_api()


@pytest.fixture
def record(body):
    return body["medicalRecord"]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("dob", "1985-04-12"),
        ("gender", "female"),
        ("medicalConditions", ["chronic_pain", "insomnia"]),
        ("otherMedicalCondition", "Migraine"),
        ("medicinesTreatments", ["opioids", "physiotherapy"]),
        ("otherMedicalTreatments", "Acupuncture"),
        ("prescriptionsSupplements", "Sertraline 50mg"),
        ("medicalHistory0", False),
        ("medicalHistory1", False),
        ("medicalHistory2", False),
        ("medicalHistory3", True),
        ("medicalHistory4", False),
        ("medicalHistory5", True),
        ("medicalHistory6", False),
        ("medicalHistory7", True),
        ("medicalHistory8", False),
        ("medicalHistory9", ["penicillin", "latex"]),
        ("medicalHistory10", True),
        ("medicalHistory11", "every_other_day"),
        ("medicalHistory12", ["vaporizing", "topical"]),
        ("medicalHistory13", True),
        ("medicalHistory14", False),
        ("medicalHistory15", ["3_to_12_months"]),
        ("medicalHistory16", True),
    ],
)
def test_medical_record_field(record, field, expected):
    assert record[field] == expected


def test_the_record_has_exactly_the_contracts_fields(record):
    named = {
        "dob",
        "gender",
        "medicalConditions",
        "otherMedicalCondition",
        "medicinesTreatments",
        "otherMedicalTreatments",
        "prescriptionsSupplements",
    }
    assert set(record) == named | {f"medicalHistory{n}" for n in range(17)}


def test_every_step_four_answer_has_a_destination():
    mapped = {name for name, _ in HISTORY.values()} | {
        "current_medication",
        "previous_treatments",
        "other_treatments",
    }
    form = steps.HistoryForm(tenant=None, page=None, user=None)
    assert set(form.fields) - mapped == set()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("firstName",), "Ana"),
        (("lastName",), "Silva"),
        (("email",), "ana.silva@example.com"),
        (("phoneCode",), "+351"),
        (("phoneCountryCode",), "PT"),
        (("contactNumber",), "912345678"),
        (("shipping", "address1"), "Rua Augusta 1"),
        (("shipping", "address2"), "2º Esq"),
        (("shipping", "city"), "Lisboa"),
        (("shipping", "state"), "Lisboa"),
        (("shipping", "postalCode"), "1100-048"),
        (("shipping", "country"), "Portugal"),
        (("shipping", "countryCode"), "PRT"),
    ],
)
def test_registration_field(body, path, expected):
    value = body
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize(
    ("answer", "value"),
    [("cannabis_frequency", "hourly"), ("cannabis_routes", ["injection"]), ("cannabis_routes", [])],
)
def test_values_outside_the_supplier_enums_are_refused(answer, value):
    answers = {**ANSWERS, "step4": {**ANSWERS["step4"], answer: value}}
    with pytest.raises(ValueError):
        client_registration("a@example.com", answers)
