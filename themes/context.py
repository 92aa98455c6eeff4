"""The theme the current storefront request renders with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from themes.models import Theme

_active: ContextVar[Theme | None] = ContextVar("budstack_theme", default=None)


def active_theme() -> Theme | None:
    return _active.get()


@contextmanager
def use_theme(theme: Theme | None) -> Iterator[None]:
    token = _active.set(theme)
    try:
        yield
    finally:
        _active.reset(token)
