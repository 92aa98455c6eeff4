"""A real Celery worker against real Redis delivers, waits, retries and gives up.

Needs PostgreSQL (the worker is another process sharing the test database) and the
broker `make test` starts (``scripts/with-services.sh`` exports CELERY_BROKER_URL). The
worker runs with a retry schedule of 1 and 2 seconds and disables an endpoint after two
failed deliveries; its email goes to files this test reads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

from django.conf import settings as django_settings
from django.db import connection

import pytest

from budstack.celery import app as celery_app
from integrations.events import emit_event
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from sites.context import tenant_scope
from tests.integrations.webhook_receiver import dead_url, verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict  # the test database, as the application role
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    broker = os.environ.get("CELERY_BROKER_URL")
    assert broker, "run under scripts/with-services.sh: a real Redis broker is needed"
    mail_dir = tmp_path / "mail"
    # A queue of this test's own: no other worker (one a previous test left running, on
    # this broker database) can take its deliveries or its email and send that elsewhere.
    queue = f"webhooks-test-{os.getpid()}-{tmp_path.name}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budstack.settings.test",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(),
        "APP_DATABASE_URL": "",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SECRET_KEY": django_settings.SECRET_KEY,  # the endpoint secrets are encrypted with it
        "WEBHOOKS_RETRY_SCHEDULE": "1,2",
        "WEBHOOKS_DISABLE_AFTER": "2",
        "WEBHOOKS_TIMEOUT": "3",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "LOG_LEVEL": "INFO",  # the worker's log is printed at teardown: what it received and did
    }
    # This test's queue starts empty: a task another test of this xdist worker left behind
    # (a retry scheduled when its worker stopped, a task restored after a killed worker)
    # would otherwise run first on this solo worker and eat into the waits below.
    celery_app.control.purge()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "budstack",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            f"--hostname=webhooks-test-{os.getpid()}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False  # this process only sends to the broker
    celery_app.conf.task_default_queue = queue
    try:
        yield mail_dir
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.conf.task_default_queue = default_queue
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        print((tmp_path / "worker.log").read_text()[-12000:])


def sent_mail(mail_dir: Path, subject: str) -> list:
    """Messages the worker's file backend wrote whose subject contains ``subject`` (the
    worker also sends other mail, such as provisioning's welcome message)."""
    messages = []
    for path in mail_dir.glob("*.log"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                message = message_from_bytes(raw.lstrip())
                if subject in (message["Subject"] or ""):
                    messages.append(message)
    return messages


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_delivers_retries_with_backoff_then_disables_the_endpoint_and_emails(
    worker, make_tenant, receiver
):
    tenant = make_tenant("alpha", "Alpha Dispensary")
    live, live_secret = services.create_endpoint(tenant, url=receiver.url, events=["order.created"])
    down, _ = services.create_endpoint(tenant, url=dead_url(), events=["order.created"])

    started = time.monotonic()
    emit_event(tenant, "order.created", {"order": {"id": 1}})
    emit_event(tenant, "order.created", {"order": {"id": 2}})
    enqueued_in = time.monotonic() - started

    def endpoint_state():
        with tenant_scope(tenant):
            return WebhookEndpoint.objects.get(pk=down.pk)

    wait_for(lambda: not endpoint_state().is_active, what="the dead endpoint to be disabled")

    assert enqueued_in < 2, "emitting must not wait for deliveries"
    # The live receiver got both events, signed as the contract says.
    assert sorted(r.json["data"]["order"]["id"] for r in receiver.received) == [1, 2]
    assert all(verify(live_secret, r.headers, r.body) for r in receiver.received)
    with tenant_scope(tenant):
        dead_deliveries = list(WebhookDelivery.objects.filter(endpoint=down))
        live_statuses = set(WebhookDelivery.objects.filter(endpoint=live).values_list("status", flat=True))
        attempts = {
            d.pk: list(WebhookAttempt.objects.filter(delivery=d).order_by("number")) for d in dead_deliveries
        }
    assert live_statuses == {WebhookDelivery.Status.SUCCEEDED}
    assert [d.status for d in dead_deliveries] == [WebhookDelivery.Status.FAILED] * 2
    for tries in attempts.values():
        assert [a.number for a in tries] == [1, 2, 3]
        assert all(a.status_code is None and "ConnectError" in a.error for a in tries)
        gaps = [(b.started_at - a.started_at).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
        assert gaps[0] >= 1 and gaps[1] >= 2, gaps  # the schedule's waits, in order
    endpoint = endpoint_state()
    assert endpoint.consecutive_failures == 2 and "2 failed deliveries" in endpoint.disabled_reason

    (message,) = wait_for(lambda: sent_mail(worker, "switched off"), what="the email")
    assert message["To"] == "owner@alpha.example"
    assert "switched off" in message["Subject"]
    text = (
        message.get_payload()[0].get_payload(decode=True).decode()
        if message.is_multipart()
        else message.get_payload()
    )
    assert endpoint.url in text
