"""Property-based fuzzing of the parsers that take raw input from strangers.

Each property is the promise a user relies on: whatever bytes arrive, the answer is a
clear refusal or a correct result, never a crash and never a file outside the theme.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

from django.test import Client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sites.resolution import TenantNotFound, resolve_from_host, resolve_from_path
from themes.validation import ThemeZipError, validate_theme_zip

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))

path_segment = st.sampled_from(
    ["templates", "static", "..", ".", "", "theme.json", "a.html", "x.py", "C:", "~", "%2e%2e", "ü", "\\"]
)
member_name = st.lists(path_segment, min_size=1, max_size=4).map("/".join) | st.text(max_size=40)
manifest = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=30),
        "slug": st.text(max_size=30),
        "version": st.text(max_size=12),
        "templates": st.lists(st.text(max_size=20), max_size=3),
        "preview_image": st.text(max_size=20),
        "tokens": st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
    },
)


def _zip(members: list[tuple[str, bytes]], theme: dict | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if theme is not None:
            archive.writestr("theme.json", json.dumps(theme))
        for name, content in members:
            # Names the zipfile module itself cannot write are not uploads anyone can send.
            with contextlib.suppress(IndexError, ValueError):
                archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes_are_refused_with_reasons_or_accepted(data):
    try:
        validate_theme_zip(data)
    except ThemeZipError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


@pytest.mark.django_db
@FUZZ
@given(
    st.lists(
        st.tuples(member_name, st.binary(max_size=64) | st.text(max_size=64).map(str.encode)), max_size=6
    ),
    st.none() | manifest,
)
def test_any_zip_yields_only_safe_paths_or_a_clear_refusal(members, theme):
    try:
        result = validate_theme_zip(_zip(members, theme))
    except ThemeZipError as error:
        assert error.problems
        return
    for name in result.files:
        parts = name.split("/")
        assert ".." not in parts and not name.startswith("/") and "\\" not in name
        assert parts[0] in {"theme.json", "templates", "static", "README.md", "LICENSE", "LICENSE.txt"}


@pytest.mark.django_db
@FUZZ
@given(st.text(max_size=80))
def test_any_path_resolves_to_a_tenant_or_to_nothing(path):
    try:
        found = resolve_from_path("/" + path)
    except TenantNotFound:
        return
    assert found is None or found.tenant is not None


@pytest.mark.django_db
@FUZZ
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=60))
def test_any_host_resolves_to_a_tenant_or_to_nothing(hostname):
    try:
        found = resolve_from_host(hostname.lower())
    except TenantNotFound:
        return
    assert found is None or found.tenant is not None


# Hosts and paths an attacker would send to the storefront.
hosts = st.sampled_from(
    ["alpha.budstack.test", "nope.budstack.test", "budstack.test", "a.b.budstack.test", "evil.example",
     "ALPHA.budstack.test.", "alpha.budstack.test:8080", "[::1]", "127.0.0.1", "xn--80ak6aa92e.budstack.test"]
)  # fmt: skip
paths = st.lists(
    st.sampled_from(["store", "alpha", "bravo", "..", "%2e%2e", "admin", "products", "the-wire", "feed", "%00", "ü",
                     "sitemap.xml", "search", "?q=<script>", "conditions", "//evil.example", "blockchain"]),
    max_size=5,
).map(lambda parts: "/" + "/".join(parts))  # fmt: skip


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(host=hosts, path=paths)
def test_the_storefront_never_fails_on_a_strange_host_or_path(tenant_a, host, path):
    response = Client().get(path, HTTP_HOST=host)
    assert response.status_code < 500, (host, path, response.status_code)


# --- Webhook signatures ------------------------------------------------------------------
# Header values an attacker would forge: well-formed pieces with wrong, huge, empty or
# non-ASCII values, or free text.
signature_header = st.one_of(
    st.text(max_size=120),
    st.builds(
        "t={},v1={}".format,
        st.one_of(st.integers(), st.text(max_size=12), st.just("9" * 400)),
        st.one_of(st.text(alphabet="0123456789abcdef", max_size=64), st.text(max_size=64)),
    ),
)


@FUZZ
@given(header=signature_header, body=st.binary(max_size=256))
def test_forged_signatures_are_refused_without_an_error(header, body):
    from integrations.drgreen.signing import verify_webhook_signature
    from integrations.webhooks import signing

    now = 1_700_000_000
    assert verify_webhook_signature("the-secret", header, body, now=now) is False
    assert signing.verify("the-secret", header, body, now=now) is False
    # ... while the genuine signature of the same body still passes.
    genuine = signing.sign("the-secret", body, now)
    assert signing.verify("the-secret", genuine, body, now=now)
    assert verify_webhook_signature("the-secret", genuine, body, now=now)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(header=signature_header | st.none(), body=st.binary(max_size=256))
def test_the_inbound_webhook_answers_forgeries_with_a_clear_refusal(header, body):
    extra = {} if header is None else {"HTTP_X_DRGREEN_SIGNATURE": header}
    response = Client().post(
        "/api/v1/integrations/drgreen/webhook", data=body, content_type="application/json", **extra
    )
    assert response.status_code == 401, (header, response.status_code)
    assert response.json()["code"] in {"INVALID_SIGNATURE", "STALE_TIMESTAMP"}


# --- Questionnaire steps -----------------------------------------------------------------
field_value = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "on", "", "GB", "1985-04-12", "+44", "7700900123", "chronic-pain",
                     "2999-01-01", "0000-00-00", "vaporizing", "never", "male", "\x00", "<script>"]),
)  # fmt: skip
step_post = st.dictionaries(
    st.sampled_from(
        ["first_name", "last_name", "date_of_birth", "gender", "phone_code", "contact_number", "email",
         "password", "address1", "city", "postal_code", "country", "conditions", "condition_duration",
         "psychosis", "pregnant_or_breastfeeding", "heart_condition", "treatments_failed",
         "used_cannabis_before", "cannabis_routes", "cannabis_frequency", "previous_treatments",
         "consent_data_processing", "consent_terms", "consent_truthful", "unexpected"]
    ),
    st.lists(field_value, min_size=1, max_size=3),
    max_size=12,
)  # fmt: skip


@pytest.mark.django_db
@FUZZ
@given(step=st.sampled_from([1, 2, 3, 4, 5]), data=step_post)
def test_any_step_post_is_validated_or_refused_never_crashes(tenant_a, step, data):
    import json as json_module

    from django.utils.datastructures import MultiValueDict

    from kyc import forms as steps
    from kyc.models import ConsultationPage

    page = ConsultationPage.objects.descendant_of(tenant_a.root_page).first()
    form = steps.STEP_FORMS[step](MultiValueDict(data), tenant=tenant_a, page=page, user=None)
    if form.is_valid():
        stored = form.answers()
        json_module.dumps(stored)  # what the draft stores must be JSON
        # Stored answers read back as the same valid answers (what validate_all relies on).
        again = steps.STEP_FORMS[step](initial=stored, tenant=tenant_a, page=page, user=None)
        assert set(stored) <= set(again.fields)
    else:
        assert form.errors
