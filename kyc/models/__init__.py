"""KYC models: the patient's verification state, consultation drafts and submissions."""

from .consultation import ConsultationDraft, ConsultationSubmission, EncryptedAnswers
from .page import ConsultationPage
from .profile import KycStatus, PatientProfile

__all__ = [
    "ConsultationDraft",
    "ConsultationPage",
    "ConsultationSubmission",
    "EncryptedAnswers",
    "KycStatus",
    "PatientProfile",
]
