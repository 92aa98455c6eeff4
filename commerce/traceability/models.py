"""Batches of product and the hash-chained events that trace them from plant to patient."""

from __future__ import annotations

from django.db import models

from sites.models import TenantScopedModel

GENESIS_HASH = "0" * 64


class Batch(TenantScopedModel):
    """One production batch of a product: what a patient's jar can be traced back to.

    The batch code is printed on the label and is the public address of the batch's
    page (``/blockchain/<code>/``), so it is unique per tenant and fixed once events
    have been recorded (the chain's hashes cover it).
    """

    code = models.CharField(
        "batch code",
        max_length=40,
        help_text="As printed on the label, e.g. “HB-2026-PK-014”. Letters, digits, dots, dashes and underscores.",
    )
    product = models.ForeignKey("commerce.Product", on_delete=models.PROTECT, related_name="batches")
    harvested_on = models.DateField("harvest date", null=True, blank=True)
    produced_on = models.DateField("production date", null=True, blank=True)
    # Lab results (certificate of analysis).
    lab_name = models.CharField("laboratory", max_length=200, blank=True)
    tested_on = models.DateField("test date", null=True, blank=True)
    thc_percent = models.DecimalField("THC %", max_digits=5, decimal_places=2, null=True, blank=True)
    cbd_percent = models.DecimalField("CBD %", max_digits=5, decimal_places=2, null=True, blank=True)
    lab_results = models.JSONField(
        "other lab results",
        default=dict,
        blank=True,
        help_text='Further results as JSON, e.g. {"microbials": "pass", "heavy metals": "pass"}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The chain's head, kept under the batch's row lock: verification compares the last
    # event against it, so deleting events from the end of the chain is noticed too.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="batch_code_unique_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.product})"


class BatchEvent(TenantScopedModel):
    """One link of a batch's chain. Append-only: written by ``chain.append_event`` only.

    ``hash`` is the SHA-256 of a canonical serialisation of the event that includes
    ``prev_hash``, the previous event's hash (``GENESIS_HASH`` for the first), so
    altering, removing or reordering any event breaks every later link.
    """

    class Kind(models.TextChoices):
        CULTIVATED = "cultivated", "Cultivated"
        HARVESTED = "harvested", "Harvested"
        TESTED = "tested", "Lab tested"
        PACKAGED = "packaged", "Packaged"
        SHIPPED = "shipped", "Shipped"
        RECEIVED = "received", "Received"
        DISPENSED = "dispensed", "Dispensed"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField(help_text="1 for the batch's first event.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    # A label, not a foreign key: deleting an account must not rewrite (or be refused
    # by) an append-only table, and the chain hashes what was recorded.
    actor_label = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["batch", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sequence"], name="batch_event_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} #{self.sequence} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Batch events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Batch events are append-only.")
