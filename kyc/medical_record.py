"""Consultation answers -> Dr. Green's ``POST /dapp/clients`` body (DRGREEN_API.md).

The original BudStack sent several answers under the wrong keys, hard-coded others and
dropped some. Here every answer has exactly one destination, listed in ``HISTORY``
for the numbered ``medicalHistory0..16`` fields, and tests/kyc/test_medical_record.py
checks each field. Kinds follow the contract: booleans, lists of strings, the one
frequency enum (``medicalHistory11``) and the one route list (``medicalHistory12``).

| field | answer |
|---|---|
| dob, gender | step 1 date of birth, gender |
| medicalConditions | step 3 conditions from the tenant's library (slugs, ``-`` as ``_``) |
| otherMedicalCondition | step 3 free text |
| medicinesTreatments | step 4 treatments tried |
| otherMedicalTreatments | step 4 other treatments tried |
| prescriptionsSupplements | step 4 current medicines and supplements |
| medicalHistory0..16 | see ``HISTORY`` |
"""

from __future__ import annotations

from datetime import date
from typing import Any

from integrations.drgreen.types import ClientRegistration, MedicalRecord, ShippingAddress

# medicalHistoryN <- (step 4 answer, kind)
HISTORY: dict[int, tuple[str, str]] = {
    0: ("heart_condition", "bool"),
    1: ("psychosis", "bool"),
    2: ("pregnant_or_breastfeeding", "bool"),
    3: ("family_history_psychosis", "bool"),
    4: ("liver_disease", "bool"),
    5: ("kidney_disease", "bool"),
    6: ("epilepsy", "bool"),
    7: ("substance_dependence", "bool"),
    8: ("depression_or_anxiety", "bool"),
    9: ("allergies", "list"),
    10: ("used_cannabis_before", "bool"),
    11: ("cannabis_frequency", "frequency"),
    12: ("cannabis_routes", "routes"),
    13: ("operates_machinery", "bool"),
    14: ("under_specialist_care", "bool"),
    15: ("condition_duration", "list"),  # from step 3
    16: ("treatments_failed", "bool"),
}
FREQUENCIES = ("everyday", "every_other_day", "1_2_times_per_week", "never")
ROUTES = ("smoking_joints", "vaporizing", "ingestion", "topical", "never")


def _history_value(answer: Any, kind: str) -> Any:
    if kind == "bool":
        return bool(answer)
    if kind == "frequency":
        if answer not in FREQUENCIES:
            raise ValueError(f"not a Dr. Green frequency: {answer!r}")
        return answer
    if kind == "routes":
        routes = list(answer or [])
        if not routes or any(route not in ROUTES for route in routes):
            raise ValueError(f"not Dr. Green routes: {routes!r}")
        return routes
    if isinstance(answer, str):
        return [part.strip() for part in answer.split(",") if part.strip()]
    return list(answer or [])


def medical_record(answers: dict[str, Any]) -> MedicalRecord:
    personal, conditions, history = answers["step1"], answers["step3"], answers["step4"]
    values = {**history, "condition_duration": conditions.get("condition_duration", "")}
    return MedicalRecord(
        dob=date.fromisoformat(personal["date_of_birth"]),
        gender=personal["gender"],
        medical_conditions=[slug.replace("-", "_") for slug in conditions.get("conditions", [])],
        other_medical_condition=conditions.get("other_condition", ""),
        medicines_treatments=list(history.get("previous_treatments", [])),
        other_medical_treatments=history.get("other_treatments", ""),
        prescriptions_supplements=history.get("current_medication", ""),
        history={
            f"medicalHistory{n}": _history_value(values.get(name), kind)
            for n, (name, kind) in HISTORY.items()
        },
    )


def client_registration(email: str, answers: dict[str, Any]) -> ClientRegistration:
    """The whole registration body for a patient whose account email is ``email``."""
    personal, address = answers["step1"], answers["step2"]
    return ClientRegistration(
        first_name=personal["first_name"],
        last_name=personal["last_name"],
        email=email,
        phone_code=personal["phone_code"],
        phone_country_code=address["country"],
        contact_number=personal["contact_number"],
        shipping=ShippingAddress(
            address1=address["address1"],
            address2=address.get("address2", ""),
            city=address["city"],
            state=address.get("state", ""),
            postal_code=address["postal_code"],
            country=_country_name(address["country"]),
            country_code=address["country"],
        ),
        medical_record=medical_record(answers),
    )


def _country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
