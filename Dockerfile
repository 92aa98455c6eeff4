# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker and beat (celery), migrate and backup.
#   docker build -t budstack .
#   docker run budstack                       # web
#   docker run budstack celery -A budstack worker -l info
ARG PYTHON_VERSION=3.11

# ---------------------------------------------------------------- build ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first (pinned by constraints.txt), so code changes reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p budstack sites themes pages commerce kyc integrations search media \
 && pip install -c constraints.txt . \
 && pip uninstall -y budstack
COPY . .
RUN pip install --no-deps -c constraints.txt .
# Static files are compiled into the image (hashed names, gzip/brotli variants).
# The values here only let settings load; nothing is baked in.
RUN DJANGO_SETTINGS_MODULE=budstack.settings.production \
    SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost FIELD_ENCRYPTION_KEYS=ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg= \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput --verbosity 0

# -------------------------------------------------------------- runtime ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=budstack.settings.production \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/var/media THEME_CACHE_DIR=/app/var/theme-cache \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# postgresql-client: pg_dump/pg_restore/psql for the backup service; curl: HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 postgresql-client curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 budstack \
 && useradd --system --uid 10001 --gid budstack --home-dir /app --shell /usr/sbin/nologin budstack
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=budstack:budstack /app /app
WORKDIR /app
RUN mkdir -p /app/var/media /app/var/theme-cache /backups \
 && chown -R budstack:budstack /app/var /backups
USER budstack:budstack
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT:-8000}/healthz" || exit 1
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "budstack.wsgi"]
