"""Structured logs: one JSON object per line, with the request id and the tenant.

Log shippers (Loki, CloudWatch, Datadog) parse these lines without a grok pattern, and
every line of one request can be found by its ``request_id``, which nginx also logs and
passes on as ``X-Request-ID``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from budstack.ops.context import current_request_id

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "tenant"}


def _current_tenant_slug() -> str:
    try:
        from sites.context import get_current_tenant
    except ImportError:  # pragma: no cover - logging configured before apps load
        return ""
    tenant = get_current_tenant()
    return tenant.slug if tenant is not None else ""


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``tenant`` to every record (also usable by plain formatters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        if not getattr(record, "tenant", ""):
            record.tenant = _current_tenant_slug()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "tenant": getattr(record, "tenant", ""),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
