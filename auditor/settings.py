"""Shared shape of auditor's settings objects (inference, export): frozen dataclasses stored
whole with their results, built from a dict or None with unknown names refused."""
from __future__ import annotations

import dataclasses
from typing import TypeVar

from auditor.errors import UserError

T = TypeVar("T")


def settings_from(cls: type[T], config: "T | dict | None", what: str) -> T:
    """``cls()`` for None, ``config`` itself for an instance, ``cls(**config)`` for a dict."""
    if config is None:
        return cls()
    if isinstance(config, cls):
        return config
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise UserError(f"{what}: unknown setting(s) {', '.join(unknown)} — known: "
                        f"{', '.join(sorted(known))}")
    return cls(**dict(config))
