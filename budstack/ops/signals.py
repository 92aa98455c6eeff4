"""Celery task hooks: a task's log lines carry its id, and outcomes are counted."""

from __future__ import annotations

from typing import Any

from budstack.ops import metrics
from budstack.ops.context import request_id_var

_tokens: dict[str, Any] = {}


def task_started(sender=None, task_id: str = "", **kwargs: Any) -> None:
    _tokens[task_id] = request_id_var.set(task_id)


def task_finished(sender=None, task_id: str = "", **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


def task_succeeded(sender=None, **kwargs: Any) -> None:
    metrics.TASKS.labels(getattr(sender, "name", "unknown"), "success").inc()


def task_failed(sender=None, **kwargs: Any) -> None:
    metrics.TASKS.labels(getattr(sender, "name", "unknown"), "failure").inc()
