"""Which model fields hold ``budstack.encryption`` tokens, for key rotation.

Apps register their encrypted columns once, from ``AppConfig.ready()``::

    from budstack import encrypted_fields

    encrypted_fields.register("integrations.DrGreenCredentials", ["secret_key_encrypted"])

``manage.py reencrypt_fields`` then moves every registered value to the newest key in
``FIELD_ENCRYPTION_KEYS``. A field that is encrypted but not registered would keep
needing its old key, so rotating cannot finish: register every one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models

_registry: dict[str, tuple[str, ...]] = {}


def _label(model: type[models.Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label


def register(model: type[models.Model] | str, field_names: Iterable[str]) -> None:
    """Declare that ``field_names`` of ``model`` (class or ``"app_label.Model"``) are encrypted."""
    names = tuple(field_names)
    if not names:
        raise ValueError("register() needs at least one field name")
    label = _label(model)
    known = _registry.get(label, ())
    _registry[label] = known + tuple(name for name in names if name not in known)


def registered() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every registered model with its encrypted fields, checked to exist."""
    found = []
    for label, names in sorted(_registry.items()):
        model = apps.get_model(label)
        for name in names:
            model._meta.get_field(name)  # FieldDoesNotExist: a typo fails loudly, not silently
        found.append((model, names))
    return found


def unregister(model: type[models.Model] | str) -> None:
    """Forget a model (tests that register throwaway models)."""
    _registry.pop(_label(model), None)
