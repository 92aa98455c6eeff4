"""A Celery worker is SIGKILLed mid-task: the task runs again elsewhere, its effect once.

A real worker (against the test Redis and database) starts delivering a webhook to a
receiver that holds the first request open; the worker is killed with SIGKILL while it
waits. Late acknowledgement leaves the task unacknowledged in Redis, so once the
visibility timeout passes a second worker gets it and delivers. The delivery is recorded
as one successful attempt, and the receiver saw the same delivery id both times, the
key CONTRACT.md gives receivers to apply a delivery once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from django.conf import settings as django_settings
from django.db import connection

import pytest

from budstack.celery import app as celery_app
from integrations.events import emit_event
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from sites.context import tenant_scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3


def _database_url() -> str:
    s = connection.settings_dict  # the test database, as the application role
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _start_worker(name: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budstack.settings.test",
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
        "DATABASE_URL": _database_url(),
        "APP_DATABASE_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SECRET_KEY": django_settings.SECRET_KEY,  # endpoint secrets are encrypted with it
        "WEBHOOKS_TIMEOUT": "60",  # longer than the receiver holds the first request
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "celery", "-A", "budstack", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", "default",
         f"--hostname={name}-{os.getpid()}@localhost"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


class StallingReceiver:
    """Holds the first POST open (until released), answers later ones at once."""

    def __init__(self) -> None:
        self.delivery_ids: list[str] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.delivery_ids.append(self.headers["X-BudStack-Delivery"])
                if len(receiver.delivery_ids) == 1:
                    receiver.release.wait(30)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_task_killed_mid_flight_runs_again_and_takes_effect_once(make_tenant, tmp_path):
    assert os.environ.get("CELERY_BROKER_URL"), "run under scripts/with-services.sh (a real Redis broker)"
    tenant = make_tenant("alpha", "Alpha Dispensary")
    receiver = StallingReceiver()
    endpoint, _ = services.create_endpoint(tenant, url=receiver.url, events=["order.created"])
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process only sends to the broker
    workers: list[subprocess.Popen] = []
    try:
        workers.append(_start_worker("doomed", tmp_path / "doomed.log"))
        emit_event(tenant, "order.created", {"order": {"id": 7}})
        _wait_for(lambda: receiver.delivery_ids, 60, "the first worker to start delivering")
        workers[0].send_signal(signal.SIGKILL)  # mid-task: the receiver still holds the request
        workers[0].wait(timeout=10)
        receiver.release.set()  # the dead worker's request ends; nobody reads the answer
        with tenant_scope(tenant):
            assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING
        time.sleep(VISIBILITY_TIMEOUT)

        workers.append(_start_worker("rescuer", tmp_path / "rescuer.log"))

        def delivered():
            with tenant_scope(tenant):
                return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SUCCEEDED).first()

        delivery = _wait_for(delivered, 60, "the second worker to deliver")
        time.sleep(1)  # room for a duplicate run to show itself
        with tenant_scope(tenant):
            attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
            assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
        assert [(a.number, a.success) for a in attempts] == [(1, True)]
        assert len(receiver.delivery_ids) == 2
        assert set(receiver.delivery_ids) == {str(delivery.delivery_id)}
    finally:
        celery_app.conf.task_always_eager = eager
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=5)
        receiver.stop()
        for log in tmp_path.glob("*.log"):
            print(log.name, log.read_text()[-3000:])
