"""Consultation answers: a working draft per patient and immutable, versioned submissions.

Answers are special-category health data. They are stored only as a Fernet token
(``budstack.encryption``: the newest ``FIELD_ENCRYPTION_KEYS`` key encrypts, every
configured key decrypts), so the database, its backups and its replicas never hold
them in plain text.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from budstack import encryption
from sites.models import TenantScopedModel


class EncryptedAnswers(models.Model):
    """``answers`` (a JSON object) kept encrypted in ``answers_encrypted``."""

    answers_encrypted = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    @property
    def answers(self) -> dict[str, Any]:
        if not self.answers_encrypted:
            return {}
        return json.loads(encryption.decrypt(self.answers_encrypted))

    @answers.setter
    def answers(self, value: dict[str, Any]) -> None:
        self.answers_encrypted = encryption.encrypt(json.dumps(value, sort_keys=True, default=str))

    def reencrypt(self) -> bool:
        """Move the token to the newest key; True if it changed (for kyc_reencrypt)."""
        if not self.answers_encrypted or encryption.is_current(self.answers_encrypted):
            return False
        rotated = encryption.rotate(self.answers_encrypted)
        type(self).all_tenants.filter(pk=self.pk).update(answers_encrypted=rotated)
        self.answers_encrypted = rotated
        return True


class ConsultationDraft(EncryptedAnswers, TenantScopedModel):
    """Answers so far, so that a patient can go back, leave, log out and resume."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_draft"
    )
    # The furthest step the patient may open: every step before it was valid when saved.
    current_step = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "consultation draft"

    def __str__(self) -> str:
        return f"Draft of {self.user_id} at step {self.current_step}"


class ImmutableRecord(Exception):
    pass


class ConsultationSubmission(EncryptedAnswers, TenantScopedModel):
    """One submitted questionnaire; a resubmission is a new version, never an edit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_submissions"
    )
    version = models.PositiveIntegerField()
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "consultation submission"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="kyc_submission_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Consultation v{self.version} of {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("A consultation submission is never changed: submit a new version.")
        super().save(*args, **kwargs)
