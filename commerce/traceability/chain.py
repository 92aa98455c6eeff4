"""Writing and verifying a batch's hash chain.

Every event is appended here, under a row lock on its batch, so two writers can never
both extend the chain from the same head. An event's hash is the SHA-256 of the
canonical JSON of (batch code, sequence, kind, occurred_at, data, actor, prev_hash):
keys sorted, no whitespace, UTC timestamps with microseconds. Anyone holding the
events can recompute it; ``verify_chain`` does exactly that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from commerce.traceability.models import GENESIS_HASH, Batch, BatchEvent


def _actor_label(actor) -> str:
    # As in the audit trail: staff by email, patients only by account number.
    if getattr(actor, "role", None) == "PATIENT":
        return f"patient #{actor.pk}"
    return (getattr(actor, "email", "") or str(actor))[:255]


class LedgerError(ValueError):
    """An event that cannot be recorded (bad kind or data)."""


def _normalise(value: Any) -> Any:
    """Data as it will read back from a JSON column, so the hash survives the round trip.

    Floats and Decimals become strings: a database may print ``1e20`` back as an integer
    and change the serialisation (and the hash) of an untouched row.
    """
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise LedgerError(f"Event data cannot hold a {type(value).__name__}.")


def _timestamp(moment: dt.datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_payload(
    *,
    batch_code: str,
    sequence: int,
    kind: str,
    occurred_at: dt.datetime,
    data: dict,
    actor: str,
    prev_hash: str,
) -> bytes:
    """The exact bytes an event's hash is taken over."""
    payload = {
        "batch": batch_code,
        "sequence": sequence,
        "kind": kind,
        "occurred_at": _timestamp(occurred_at),
        "data": data,
        "actor": actor,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: BatchEvent, batch_code: str) -> str:
    """The hash ``event`` should carry, recomputed from its stored fields."""
    payload = canonical_payload(
        batch_code=batch_code,
        sequence=event.sequence,
        kind=event.kind,
        occurred_at=event.occurred_at,
        data=event.data,
        actor=event.actor_label,
        prev_hash=event.prev_hash,
    )
    return hashlib.sha256(payload).hexdigest()


def lock_batch(batch: Batch) -> Batch:
    """The batch's row, locked until the transaction ends (call inside ``atomic``)."""
    return Batch.objects.select_for_update().get(pk=batch.pk)


def append_event(
    batch: Batch,
    kind: str,
    data: dict | None = None,
    actor=None,
    *,
    occurred_at: dt.datetime | None = None,
) -> BatchEvent:
    """Append one event to ``batch``'s chain and move the batch's head to it.

    ``actor`` is the user (or None for the system) who records it; only a label is kept.
    Call inside the batch's tenant scope.
    """
    if kind not in BatchEvent.Kind.values:
        raise LedgerError(f"Unknown event kind “{kind}”.")
    if data is not None and not isinstance(data, dict):
        raise LedgerError("Event data must be a JSON object.")
    data = _normalise(data or {})
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    # The database keeps microseconds; make sure what we hash is what it keeps.
    occurred_at = occurred_at.astimezone(dt.UTC)
    with transaction.atomic():
        locked = lock_batch(batch)
        event = BatchEvent(
            tenant_id=locked.tenant_id,
            batch=locked,
            sequence=locked.event_count + 1,
            kind=kind,
            occurred_at=occurred_at,
            data=data,
            actor_label=_actor_label(actor) if actor is not None else "system",
            prev_hash=locked.head_hash,
        )
        event.hash = event_hash(event, locked.code)
        event.save()
        Batch.objects.filter(pk=locked.pk).update(event_count=event.sequence, head_hash=event.hash)
    batch.event_count, batch.head_hash = event.sequence, event.hash
    return event


def record_dispensed(
    batch: Batch, *, order_reference: str, quantity: Decimal | int | str, actor=None
) -> BatchEvent:
    """Record that ``quantity`` of ``batch`` left the dispensary with an order.

    The orders code calls this when an order is delivered, so the batch's public page
    shows where its units went (by order reference, never by patient).
    """
    if not str(order_reference).strip():
        raise LedgerError("A dispensed event needs the order reference.")
    return append_event(
        batch,
        BatchEvent.Kind.DISPENSED,
        {"order": str(order_reference), "quantity": str(quantity)},
        actor,
    )


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify_chain`` found. ``broken_at`` is the 1-based number of the first bad event."""

    ok: bool
    events: list[BatchEvent]
    broken_at: int | None = None
    reason: str = ""
    valid: frozenset[int] = frozenset()  # sequence numbers of events verified before the break

    @property
    def broken_event(self) -> BatchEvent | None:
        if self.broken_at is None:
            return None
        return next((e for e in self.events if e.sequence == self.broken_at), None)


def verify_chain(batch: Batch) -> ChainCheck:
    """Recompute every link of ``batch``'s chain; report the first that does not hold."""
    events = list(BatchEvent.objects.filter(batch=batch).order_by("sequence", "pk"))
    expected_prev = GENESIS_HASH
    valid: set[int] = set()
    for position, event in enumerate(events, start=1):
        problem = ""
        if event.sequence != position:
            problem = (
                f"event {position} is missing" if event.sequence > position else "events are out of order"
            )
        elif event.prev_hash != expected_prev:
            problem = "it does not point at the event before it"
        elif event_hash(event, batch.code) != event.hash:
            problem = "its content does not match its hash"
        if problem:
            return ChainCheck(False, events, position, problem, frozenset(valid))
        valid.add(event.sequence)
        expected_prev = event.hash
    if len(events) != batch.event_count or expected_prev != batch.head_hash:
        position = min(len(events), batch.event_count) + 1
        return ChainCheck(
            False, events, position, "events are missing from the end of the chain", frozenset(valid)
        )
    return ChainCheck(True, events, valid=frozenset(valid))
