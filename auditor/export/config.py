"""Export settings: one frozen dataclass, written whole into manifest.json so verify can
rebuild the export with exactly the settings it was made with."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from auditor.errors import UserError
from auditor.settings import settings_from

FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class ExportConfig:
    k: int = 5                       # training neighbours of each misclassified validation sample
    factor: float = 2.0              # weight multiplier per neighbouring validation error
    max_upweight: float = 10.0       # cap on the compounded neighbour multiplier (keeps ESS sane)
    hard_example_factor: float = 2.0  # multiplier for rows flagged model_wrong
    balance_classes: bool = False    # multiply by n / (n_classes * n_class)
    match_radius_m: float = 100.0    # re-derived place -> original place id (ping exclusions)
    reviewed_only: bool = False      # apply only flags a second analyst accepted or amended

    def __post_init__(self):
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 1:
            raise UserError(f"export: --k must be a whole number >= 1 (got {self.k!r})")
        for name in ("factor", "max_upweight", "hard_example_factor"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 1.0:
                raise UserError(f"export: {name.replace('_', '-')} must be a number >= 1 "
                                f"(got {value!r}) — weights only ever go up before scaling")
        if not (isinstance(self.match_radius_m, (int, float)) and self.match_radius_m > 0):
            raise UserError(f"export: match radius must be > 0 m (got {self.match_radius_m!r})")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        # floats in the manifest so 2 and 2.0 hash the same way
        for name in ("factor", "max_upweight", "hard_example_factor", "match_radius_m"):
            d[name] = float(d[name])
        if not d["reviewed_only"]:  # absent when off: manifests of earlier exports still match
            del d["reviewed_only"]
        return d

    @classmethod
    def from_any(cls, config: "ExportConfig | dict | None") -> "ExportConfig":
        return settings_from(cls, config, "export")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UserError(f"export: format {fmt!r} is not supported — use csv or parquet")
    return fmt
