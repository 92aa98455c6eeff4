"""Tenant email through a real SMTP server (aiosmtpd on loopback) and a real Celery worker."""

from __future__ import annotations

import re
import threading

from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

import pytest

from budstack.email_url import parse_email_url
from integrations.email import TEMPLATES, render_tenant_email, send_tenant_email
from sites.context import tenant_scope
from sites.models import Branding
from tests.integrations.smtp import SMTPServer, free_port, parts
from tests.themes.zips import make_zip
from themes.installer import install_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Django sends to it."""
    server = SMTPServer().start()
    _point_django_at(settings, server.port)
    yield server
    server.stop()


def _point_django_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_FROM = "BudStack <no-reply@budstack.test>"


def send_now(captured, *args, **kwargs) -> None:
    with captured(execute=True):
        send_tenant_email(*args, **kwargs)


def test_message_arrives_with_text_and_html_from_the_dispensary(
    smtp, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    with tenant_scope(tenant_a):
        Branding.objects.filter(tenant=tenant_a).update(
            primary_colour="#aa3300", support_email="help@alpha.example", tagline="Care, dispensed"
        )
    link = "http://alpha.budstack.test/auth/reset-password/abc.def/"
    send_now(
        django_capture_on_commit_callbacks, tenant_a, "password_reset", "pat@example.com", {"link": link}
    )
    send_now(
        django_capture_on_commit_callbacks, tenant_b, "password_reset", ["pat@example.com"], {"link": "x"}
    )

    alpha, bravo = smtp.inbox.wait_for(2)
    assert smtp.inbox.envelopes[0] == ("no-reply@budstack.test", ["pat@example.com"])
    assert alpha["From"] == "Alpha Dispensary <no-reply@budstack.test>"
    assert alpha["Reply-To"] == "help@alpha.example"
    assert alpha["Subject"] == "Reset your password at Alpha Dispensary"
    assert alpha.get_content_type() == "multipart/alternative"
    body = parts(alpha)
    assert set(body) == {"text/plain", "text/html"}
    assert link in body["text/plain"] and "<" not in body["text/plain"]
    assert f'href="{link}"' in body["text/html"]
    # The branded frame: the dispensary's colour, tagline, contact address and storefront.
    assert "background:#aa3300" in body["text/html"] and "Care, dispensed" in body["text/html"]
    assert "help@alpha.example" in body["text/html"] and "http://alpha.budstack.test/" in body["text/html"]
    assert "Alpha" not in str(bravo) and bravo["From"] == "Bravo Clinic <no-reply@budstack.test>"
    # Bravo has no branding colour: its theme's brand token is used.
    assert "background:#1d4e89" in parts(bravo)["text/html"]


def test_a_theme_overrides_any_email_template(smtp, tenant_a, tenant_b, django_capture_on_commit_callbacks):
    theme = install_zip(
        make_zip(
            extra={
                "templates/emails/password_reset.html": (
                    '<p class="harbour-mail">Harbour says: reset at <a href="{{ link }}">this link</a></p>'
                ),
                "templates/emails/password_reset.subject.txt": "Harbour: new password for {{ tenant.name }}",
            }
        )
    )
    tenant_a.theme = theme
    tenant_a.save()
    for tenant in (tenant_a, tenant_b):
        send_now(django_capture_on_commit_callbacks, tenant, "password_reset", "p@example.com", {"link": "L"})

    themed, plain = smtp.inbox.wait_for(2)
    assert themed["Subject"] == "Harbour: new password for Alpha Dispensary"
    html = parts(themed)["text/html"]
    assert '<p class="harbour-mail">Harbour says' in html and "Alpha Dispensary" in html  # still framed
    assert "Choose a new password" not in html
    # The text part was not overridden: the platform's text is used.
    assert "choose a new password for your account at Alpha Dispensary" in parts(themed)["text/plain"]
    assert plain["Subject"] == "Reset your password at Bravo Clinic"
    assert "harbour" not in parts(plain)["text/html"]


def test_nothing_is_sent_when_the_transaction_rolls_back(tenant_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            send_tenant_email(tenant_a, "welcome", "p@example.com", {"consultation_url": "c"})
            raise RuntimeError("order failed")
        send_tenant_email(tenant_a, "password_reset", "q@example.com", {"link": "l"})
    assert [m.to for m in mail.outbox] == [["q@example.com"]]


def test_sending_waits_for_the_commit(tenant_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_tenant_email(tenant_a, "password_reset", "q@example.com", {"link": "l"})
        assert mail.outbox == []
    assert len(callbacks) == 1


SAMPLE_CONTEXT = {
    "user": {"first_name": "Ana"},
    "link": "https://example.test/link/",
    "login_url": "https://example.test/login/",
    "consultation_url": "https://example.test/consultation/",
    "account_url": "https://example.test/account/",
    "status_url": "https://example.test/consultation/success/",
    "shop_url": "https://example.test/products/",
    "kyc_link": "https://kyc.example.test/start",
    "status": "VERIFIED",
    "order": {"reference": "HB-1042"},
    "order_url": "https://example.test/account/",
    "lines": [{"quantity": 2, "name": "Blue Dream 10 g", "total": "£80.00"}],
    "total": "£80.00",
    "fields": [("Your name", "Ana O'Neill"), ("Message", "Hello")],
    "submissions_url": "https://admin.example.test/forms/",
}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_transactional_email_renders_both_parts(tenant_a, template):
    message = render_tenant_email(tenant_a, template, ["p@example.com"], SAMPLE_CONTEXT)
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html" and message.subject and "\n" not in message.subject
    assert "Alpha Dispensary" in message.body and "Alpha Dispensary" in html
    for rendered in (message.subject, message.body, html):
        assert "{{" not in rendered and "{%" not in rendered
    # Plain text is not HTML-escaped.
    assert "&#x27;" not in message.body and "&amp;" not in message.body


def test_email_statuses_read_as_they_should(tenant_a):
    rejected = render_tenant_email(
        tenant_a,
        "kyc_status",
        ["p@example.com"],
        {**SAMPLE_CONTEXT, "status": "REJECTED", "reason": "ID unclear"},
    )
    assert rejected.subject == "About your consultation at Alpha Dispensary"
    assert "cannot approve" in rejected.body and "ID unclear" in rejected.body
    shipped = render_tenant_email(
        tenant_a, "order_status", ["p@example.com"], {**SAMPLE_CONTEXT, "status": "SHIPPED"}
    )
    assert shipped.subject == "Order HB-1042: shipped – Alpha Dispensary"


@pytest.mark.postgres
# Serialized rollback: like every transactional test here, it needs the themes, root page
# and collection that migrations made, which a flush before it may have taken.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_down_then_up_the_worker_retries_and_delivers(settings, make_tenant):
    """A real worker on the real Redis broker: the mail server is down, then comes back."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_retry

    from budstack.celery import app

    tenant = make_tenant("alpha", "Alpha Dispensary")
    server = SMTPServer(free_port())  # not started: connections are refused
    _point_django_at(settings, server.port)
    settings.EMAIL_RETRY_BASE_DELAY = 0.5
    settings.EMAIL_RETRY_MAX_DELAY = 1.0
    settings.EMAIL_MAX_RETRIES = 30
    retried = threading.Event()
    reasons: list[str] = []

    def on_retry(sender=None, reason=None, **kwargs):
        if sender is not None and sender.name == "integrations.deliver_email":
            reasons.append(str(reason))
            retried.set()

    task_retry.connect(on_retry, weak=False)
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            send_tenant_email(tenant, "password_reset", "pat@example.com", {"link": "http://x/reset/"})
            assert retried.wait(20), "the task never retried while the SMTP server was down"
            server.start()
            try:
                (message,) = server.inbox.wait_for(1, timeout=30)
            finally:
                server.stop()
    finally:
        app.conf.task_always_eager = True
        task_retry.disconnect(on_retry)
    assert message["From"] == "Alpha Dispensary <no-reply@budstack.test>"
    assert "http://x/reset/" in parts(message)["text/plain"]
    assert any(re.search(r"refused|Errno", reason) for reason in reasons)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "smtp://user:p%40ss@mail.example:2525",
            {
                "EMAIL_HOST": "mail.example",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "user",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
            id="plain-with-escaped-password",
        ),  # fmt: skip
        pytest.param(
            "smtp://u:p@mail.example?tls",
            {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
            id="starttls-flag",
        ),
        pytest.param(
            "smtp+tls://u:p@mail.example", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True}, id="starttls-scheme"
        ),
        pytest.param(
            "smtps://u:p@mail.example",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False},
            id="implicit-tls",
        ),
        pytest.param("smtp://mail.example?timeout=3", {"EMAIL_PORT": 25, "EMAIL_TIMEOUT": 3.0}, id="timeout"),
        pytest.param(
            "console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, id="console"
        ),
    ],
)
def test_email_server_urls(url, expected):
    parsed = parse_email_url(url)
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize(
    "url", ["http://mail.example", "smtp://", "smtp://host:notaport", "smtp://h?timeout=x"]
)
def test_bad_email_server_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        parse_email_url(url)


def test_inline_delivery_to_a_dead_server_fails_once_without_breaking_the_request(
    settings, tenant_a, django_capture_on_commit_callbacks, caplog
):
    _point_django_at(settings, free_port())  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        send_tenant_email(tenant_a, "password_reset", "p@example.com", {"link": "l"})
    given_up = [r for r in caplog.records if "given up after 1 attempts" in r.getMessage()]
    assert len(given_up) == 1 and "password_reset" in given_up[0].getMessage()
