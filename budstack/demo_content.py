"""What `seed_demo` creates: two dispensaries that read like real ones."""

from decimal import Decimal

TENANTS = [
    {"slug": "healingbuds", "name": "Healing Buds", "country": "GB", "theme": "sage",
     "tagline": "Prescribed cannabis, dispensed with care in London",
     "colours": ("#1f6f4a", "#f2b33d")},
    {"slug": "greenleaf", "name": "Greenleaf Clinic", "country": "PT", "theme": "clinic",
     "tagline": "Clínica de canábis medicinal em Lisboa",
     "colours": ("#1d4e89", "#39a37a")},
]  # fmt: skip

ACCOUNTS = [
    ("admin@budstack.test", "SUPER_ADMIN", None),
    ("owner@healingbuds.test", "TENANT_ADMIN", "healingbuds"),
    ("owner@greenleaf.test", "TENANT_ADMIN", "greenleaf"),
    ("editor@healingbuds.test", "EDITOR", "healingbuds"),
    ("marketer@healingbuds.test", "MARKETER", "healingbuds"),
    ("patient@healingbuds.test", "PATIENT", "healingbuds"),
    ("patient@greenleaf.test", "PATIENT", "greenleaf"),
]
PATIENT_KYC = {"patient@healingbuds.test": "VERIFIED", "patient@greenleaf.test": "PENDING"}
PASSWORD = "budstack-demo"  # noqa: S105 - published demo password, refused without DEBUG

# name, strain type, form, THC %, CBD %, price, countries
PRODUCTS = [
    ("Pink Kush", "indica", "flower", "22.0", "0.5", "8.50", "GB PT"),
    ("Blue Dream", "sativa", "flower", "19.0", "0.8", "8.00", "GB PT ZA"),
    ("Harlequin", "hybrid", "flower", "7.0", "10.0", "7.50", "GB PT"),
    ("Critical Mass", "indica", "flower", "20.0", "1.0", "8.25", "GB"),
    ("Jack Herer", "sativa", "flower", "18.5", "0.3", "8.75", "PT"),
    ("Cannatonic", "cbd", "flower", "6.0", "12.0", "7.00", "GB PT"),
    ("Balanced Oil 10:10", "hybrid", "oil", "10.0", "10.0", "45.00", "GB PT"),
    ("CBD Oil 20%", "cbd", "oil", "0.2", "20.0", "39.00", "GB PT TH"),
    ("Night Capsules 5mg", "indica", "capsule", "5.0", "1.0", "32.00", "GB"),
    ("Day Capsules 2.5mg", "sativa", "capsule", "2.5", "2.5", "30.00", "PT"),
    ("Granddaddy Purple", "indica", "flower", "21.0", "0.1", "9.00", "ZA TH"),
    ("Sour Diesel Vape", "sativa", "vape", "70.0", "1.0", "55.00", "TH"),
    ("Calm Pastilles", "cbd", "edible", "0.5", "10.0", "18.00", "GB PT"),
    ("Northern Lights", "indica", "flower", "17.0", "0.4", "8.10", "GB PT"),
    ("Lemon Haze Vape", "sativa", "vape", "65.0", "0.5", "52.00", "GB"),
]

TERPENES = ["myrcene, caryophyllene", "limonene, pinene", "linalool, myrcene", "terpinolene, ocimene"]
# Per form: THC/CBD unit, unit weight (g), unit volume (ml), grams of flower equivalent per unit.
FORM_UNITS = {
    "flower": ("%", "1", None, "1"),
    "oil": ("%", None, "10", "2.5"),
    "capsule": ("mg", None, None, "1.5"),
    "vape": ("%", "0.5", None, "2"),
    "edible": ("mg", None, None, "1"),
}
# Prescribed allowance of the verified demo patient (grams of flower equivalent / 30 days).
PATIENT_ALLOWANCE_GRAMS = Decimal("30")

# slug, title, summary, symptoms, evidence level, evidence notes, related product SKUs
CONDITIONS = [
    ("chronic-pain", "Chronic pain",
     "Pain lasting more than three months, such as neuropathic pain, arthritis or fibromyalgia, "
     "where first-line treatments have not helped enough.",
     "Burning or shooting nerve pain\nAching joints and stiffness\nPain that disturbs sleep\nFatigue",
     "moderate",
     "Systematic reviews find modest reductions in chronic neuropathic pain for some patients. "
     "Benefits are usually small to moderate and vary between people, so a specialist reviews "
     "progress after the first few weeks.",
     ["BS-001", "BS-007"]),
    ("anxiety", "Anxiety",
     "Generalised anxiety disorder and related conditions where standard therapies were not "
     "tolerated or did not work well enough.",
     "Persistent worry\nRestlessness\nDifficulty concentrating\nTrouble sleeping",
     "limited",
     "Evidence is still emerging. CBD-dominant preparations are usually considered first, because "
     "THC can worsen anxiety in some people.",
     ["BS-006", "BS-008", "BS-013"]),
    ("insomnia", "Insomnia",
     "Long-standing difficulty falling or staying asleep that affects how you feel and function "
     "during the day.",
     "Lying awake for a long time\nWaking during the night\nWaking too early\nDaytime tiredness",
     "limited",
     "Small trials and patient reports suggest some people sleep better with evening doses; "
     "clinicians start low and review regularly.",
     ["BS-009", "BS-014"]),
    ("ms-spasticity", "MS spasticity",
     "Muscle stiffness and spasms in multiple sclerosis that have not responded to other "
     "medicines.",
     "Stiff or tight muscles\nPainful spasms\nReduced mobility",
     "strong",
     "One of the best-studied uses: randomised trials support a licensed THC:CBD oromucosal spray "
     "for spasticity in MS when other treatments have not helped.",
     ["BS-007", "BS-003"]),
]  # fmt: skip

CATEGORIES = [("patient-guides", "Patient guides"), ("research", "Research"), ("news", "Dispensary news")]

# slug, title, intro, category slug, tags, condition slugs, paragraphs
ARTICLES = [
    ("what-to-expect-at-your-first-consultation", "What to expect at your first consultation",
     "From the questionnaire to your first prescription: how the process works and how long it takes.",
     "patient-guides", ["consultation", "getting started"], ["chronic-pain", "anxiety"],
     ["Your journey starts with a short online questionnaire about your health, your current "
      "medicines and the treatments you have already tried. It takes about ten minutes.",
      "A specialist doctor then reviews your answers and your medical records. If medical cannabis "
      "could be suitable, you are invited to a video appointment to talk it through.",
      "If a prescription is issued, our pharmacists check it, answer your questions and dispatch "
      "your medicine in tamper-evident packaging, usually within two working days."]),
    ("understanding-thc-and-cbd", "Understanding THC and CBD",
     "Two cannabinoids, two very different effects. Here is what the percentages on a label mean.",
     "research", ["thc", "cbd"], ["anxiety", "insomnia"],
     ["THC is the compound responsible for the 'high' and also for much of the pain relief "
      "patients report. CBD does not intoxicate and may soften some of THC's side effects.",
      "A flower labelled 20% THC contains 200 mg of THC per gram. Oils are usually labelled in "
      "milligrams per millilitre, which makes small, precise doses easier.",
      "Your prescriber chooses the balance of THC and CBD for your condition and adjusts it at "
      "your follow-up appointments."]),
    ("travelling-with-medical-cannabis", "Travelling with medical cannabis",
     "Carrying your prescription abroad needs planning. The rules differ country by country.",
     "patient-guides", ["travel"], [],
     ["Always carry your medicine in its original pharmacy packaging with the label showing your "
      "name, together with a copy of your prescription.",
      "Many countries do not recognise foreign prescriptions. Check with the embassy of every "
      "country you will pass through, and allow several weeks for any permit."]),
]  # fmt: skip
SCHEDULED_ARTICLE = (
    "new-pharmacist-clinic-hours",
    "New pharmacist clinic hours",
    "From next week our pharmacists answer questions in person on Saturday mornings.",
)

TRUST_NOTICES = [
    ("Licensed and regulated", "We dispense only on a valid prescription from a registered specialist."),
    ("Pharmacist support", "Our pharmacists check every prescription and are here to answer your questions."),
    ("Traceable medicine", "Every batch is tracked from the licensed producer to your door."),
]

ABOUT_STORY = [
    "We opened our doors because patients told us how hard it was to get reliable, legal access "
    "to medical cannabis and honest advice about it.",
    "Our team of pharmacists and patient advisers works with specialist prescribers and licensed "
    "producers. Every product we dispense is tested, traceable and stored in controlled conditions.",
]


def product_rows():
    for index, (name, strain, form, thc, cbd, price, countries) in enumerate(PRODUCTS, start=1):
        yield {
            "sku": f"BS-{index:03d}",
            "name": name,
            "strain_type": strain,
            "form": form,
            "thc_percent": Decimal(thc),
            "cbd_percent": Decimal(cbd),
            "price": Decimal(price),
            "available_countries": countries,
            "stock": 25 + index * 3,
            "thc_unit": FORM_UNITS[form][0],
            "cbd_unit": FORM_UNITS[form][0],
            "unit_weight_grams": Decimal(FORM_UNITS[form][1]) if FORM_UNITS[form][1] else None,
            "unit_volume_ml": Decimal(FORM_UNITS[form][2]) if FORM_UNITS[form][2] else None,
            "flower_equivalent_grams": Decimal(FORM_UNITS[form][3]),
            "terpenes": TERPENES[index % len(TERPENES)] if form in ("flower", "vape") else "",
        }


def consultation_answers(user, country: str) -> dict:
    """A complete, eligible consultation for a demo patient (see kyc.forms for the fields)."""
    address = {
        "GB": {
            "address1": "12 Harley Street",
            "city": "London",
            "postal_code": "W1G 9PF",
            "phone_code": "+44",
        },
        "PT": {
            "address1": "Rua Augusta 100",
            "city": "Lisboa",
            "postal_code": "1100-053",
            "phone_code": "+351",
        },
    }.get(
        country, {"address1": "1 Main Street", "city": "Capital", "postal_code": "10000", "phone_code": "+1"}
    )
    no = dict.fromkeys(
        (
            "psychosis",
            "pregnant_or_breastfeeding",
            "heart_condition",
            "family_history_psychosis",
            "liver_disease",
            "kidney_disease",
            "epilepsy",
            "substance_dependence",
            "depression_or_anxiety",
            "under_specialist_care",
            "operates_machinery",
        ),
        False,
    )
    return {
        "step1": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_of_birth": "1984-06-01",
            "gender": "other",
            "phone_code": address["phone_code"],
            "contact_number": "700900123",
        },
        "step2": {
            "address1": address["address1"],
            "address2": "",
            "city": address["city"],
            "state": "",
            "postal_code": address["postal_code"],
            "country": country,
        },
        "step3": {
            "conditions": ["chronic-pain"],
            "other_condition": "",
            "condition_duration": "more_than_12_months",
        },
        "step4": {
            **no,
            "treatments_failed": True,
            "used_cannabis_before": False,
            "current_medication": "",
            "previous_treatments": ["painkillers", "physiotherapy"],
            "other_treatments": "",
            "allergies": "",
            "cannabis_frequency": "never",
            "cannabis_routes": ["never"],
        },
        "step5": {"consent_data_processing": True, "consent_terms": True, "consent_truthful": True},
    }
