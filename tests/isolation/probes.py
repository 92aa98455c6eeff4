"""Counts what the isolation matrix tried, for the summary at the end of the run."""

from collections import Counter

PROBES: Counter[str] = Counter()


def probe(channel: str) -> None:
    PROBES[channel] += 1
