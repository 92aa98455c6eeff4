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
]

CONDITIONS = [
    ("chronic-pain", "Chronic pain",
     "Pain lasting more than three months, such as neuropathic pain, arthritis or fibromyalgia, "
     "where first-line treatments have not helped enough.",
     "Studies of cannabis-based medicines show modest reductions in chronic neuropathic pain for some "
     "patients. A specialist will weigh this against your other treatments and any risks."),
    ("anxiety", "Anxiety",
     "Generalised anxiety disorder and related conditions where standard therapies were not tolerated "
     "or not effective.",
     "Evidence is still emerging. CBD-dominant preparations are usually considered first, because THC "
     "can worsen anxiety in some people."),
    ("insomnia", "Insomnia",
     "Long-standing difficulty falling or staying asleep that affects daily life.",
     "Some patients report better sleep with evening doses; clinicians start low and review regularly."),
    ("ms-spasticity", "MS spasticity",
     "Muscle stiffness and spasms in multiple sclerosis that have not responded to other medicines.",
     "This is one of the better-studied uses; a licensed oromucosal spray is available in several countries."),
]  # fmt: skip

ARTICLES = [
    ("what-to-expect-at-your-first-consultation", "What to expect at your first consultation",
     "From the questionnaire to your first prescription: how the process works and how long it takes."),
    ("understanding-thc-and-cbd", "Understanding THC and CBD",
     "Two cannabinoids, two very different effects. Here is what the percentages on a label mean."),
    ("travelling-with-medical-cannabis", "Travelling with medical cannabis",
     "Carrying your prescription abroad needs planning. The rules differ country by country."),
]  # fmt: skip
SCHEDULED_ARTICLE = (
    "new-pharmacist-clinic-hours",
    "New pharmacist clinic hours",
    "From next week our pharmacists answer questions in person on Saturday mornings.",
)


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
        }
