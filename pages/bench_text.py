"""The vocabulary of the generated bench dataset (``generate_bench_data``).

Free of Django imports: ``bench/bench.py`` builds its search questions from the same words
without setting Django up.
"""

from __future__ import annotations

WORDS = [
    "cannabis",
    "clinic",
    "patient",
    "relief",
    "sleep",
    "pain",
    "anxiety",
    "evidence",
    "dose",
    "terpene",
    "oil",
    "flower",
    "prescription",
    "review",
    "study",
    "trial",
    "chronic",
    "care",
    "pharmacist",
    "doctor",
    "access",
    "quality",
    "batch",
]


def words(seed: int, count: int) -> str:
    """``count`` words of the vocabulary, the same for the same ``seed``."""
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(count))
