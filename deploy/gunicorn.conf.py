"""Gunicorn for BudStack: `gunicorn -c deploy/gunicorn.conf.py budstack.wsgi`.

Everything is overridable from the environment, so the same file serves the container
(bind 0.0.0.0:8000) and the chain test (a free loopback port).
"""

import multiprocessing
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A stuck request is killed after this many seconds; nginx gives up after 60.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Load the app before forking: faster workers, and a broken release fails at start.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
# nginx (or the load balancer) is the only client; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
proxy_allow_ips = forwarded_allow_ips
# Application logs are JSON on stderr (Django LOGGING); gunicorn's access log would
# duplicate budstack.request, so only errors are logged here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# /tmp may be a slow overlay in containers; heartbeats go to shared memory when present.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def on_starting(server):
    """Prometheus multiprocess mode: start each run with an empty metrics directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """Drop an exited worker's live gauges (its counters stay summed in)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
