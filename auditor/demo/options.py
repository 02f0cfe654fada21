"""What can vary between demo fleets, with today's values as defaults.

``write_demo(..., **options)`` takes these by name. At the defaults the generator draws exactly
the random numbers it always drew, so `auditor demo-data` writes the same bytes as before;
benchmarks vary them so that no threshold is tuned to one kind of fleet."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

DEFAULT_SCHEDULE_MIX = (("day", 0.55), ("night", 0.12), ("part", 0.13), ("none", 0.20))
DEFAULT_CITIES = ("Chicago", "Denver", "Seattle", "Berlin")
POPULATION_COLUMNS = ("fleet", "firmware", "region", "model_year")


@dataclass(frozen=True)
class DemoOptions:
    # share of label rows wrong at random (swapped, on an errand place, ~1 km off)
    wrong_share: float = 0.05
    # (column, value), e.g. ("fleet", "bluebird"): every labelled vehicle of that population
    # has home and work swapped, as an upstream join that mixed the two columns would do
    swapped_population: Optional[tuple[str, str]] = None
    faulty_share: float = 0.15          # vehicles on the firmware with the clock fault
    labelled_share: float = 0.6
    cities: tuple[str, ...] = DEFAULT_CITIES   # names from auditor.demo.cities.CATALOGUE
    schedule_mix: tuple[tuple[str, float], ...] = DEFAULT_SCHEDULE_MIX  # day|night|part|none
    ping_interval_s: tuple[float, float] = (8.0, 12.0)  # while driving, uniform in [a, b]

    def __post_init__(self):
        if not 0.0 <= self.wrong_share <= 0.5:
            raise ValueError(f"wrong_share {self.wrong_share}: choose between 0 and 0.5")
        if not 0.0 <= self.faulty_share <= 1.0 or not 0.0 < self.labelled_share <= 1.0:
            raise ValueError("faulty_share and labelled_share are shares between 0 and 1")
        if self.swapped_population is not None:
            column, _value = self.swapped_population
            if column not in POPULATION_COLUMNS:
                raise ValueError(f"swapped_population column {column!r}: one of "
                                 f"{POPULATION_COLUMNS}")
        from auditor.demo.cities import CATALOGUE
        unknown = [c for c in self.cities if c not in CATALOGUE]
        if unknown or not self.cities:
            raise ValueError(f"cities {unknown or '()'}: choose from {sorted(CATALOGUE)}")
        kinds = {k for k, _ in self.schedule_mix}
        if not kinds <= {"day", "night", "part", "none"} or not self.schedule_mix:
            raise ValueError(f"schedule_mix kinds must be day, night, part, none: {kinds}")
        lo, hi = self.ping_interval_s
        if not 0.5 <= lo <= hi <= 600:
            raise ValueError(f"ping_interval_s {self.ping_interval_s}: 0.5 <= a <= b <= 600 s")

    @classmethod
    def from_kwargs(cls, **kwargs) -> "DemoOptions":
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(kwargs) - fields
        if unknown:
            raise TypeError(f"unknown demo options: {sorted(unknown)}")
        conv = dict(kwargs)
        for name in ("cities", "schedule_mix", "ping_interval_s", "swapped_population"):
            if isinstance(conv.get(name), dict):
                conv[name] = tuple(conv[name].items())
            elif isinstance(conv.get(name), list):
                conv[name] = tuple(tuple(x) if isinstance(x, list) else x for x in conv[name])
        return cls(**conv)

    def changed(self) -> dict:
        """The options that differ from the defaults (recorded in truth.json only then, so a
        default fleet's truth.json keeps its bytes)."""
        default = DemoOptions()
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}
