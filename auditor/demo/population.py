"""Who is in the demo fleet: each vehicle's city, schedule kind, metadata and places.

Fleet-wide shares (schedule mix, faulty firmware, labelled vehicles) are drawn as quotas so a
small fleet still has every case; everything else about one vehicle (its places, its days, its
pings) comes from that vehicle's own random stream, seeded by (seed, vehicle index)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from auditor.demo.cities import CATALOGUE, City
from auditor.demo.options import DEFAULT_CITIES, DEFAULT_SCHEDULE_MIX, DemoOptions

# schedule kind -> share of the fleet. "part" is reported as schedule "day" + part_time.
SCHEDULE_MIX = dict(DEFAULT_SCHEDULE_MIX)
CITY_MIX = (0.30, 0.25, 0.25, 0.20)  # of the default cities; other city sets share equally
FAULTY_FIRMWARE = "fw-4.2.1"
FAULTY_SHARE = DemoOptions.faulty_share
HEALTHY_FIRMWARES = ("fw-4.1.0", "fw-4.1.3", "fw-4.2.0")
FLEETS = ("northwind", "bluebird", "corsa")
MIN_PLACE_SPACING_M = 400.0    # distinct places stay well apart (> 300 m)
ERRAND_KINDS = ("supermarket", "gym", "school", "pharmacy", "bakery", "hardware store")
LEISURE_KINDS = ("park", "friends", "mall", "lake", "cinema")

HOME = 0  # index of home in every vehicle's place table


@dataclass
class Places:
    """A vehicle's places in its city's metre grid; home is row 0, work row 1 when it works."""
    xy: np.ndarray
    kinds: list[str]
    work: int | None
    errands: np.ndarray           # indices into xy
    errand_weights: np.ndarray    # how often each errand place is chosen (sums to 1)
    leisure: np.ndarray

    def add(self, xy: np.ndarray, kind: str) -> int:
        """Append a one-off place (a long trip's destination); returns its index."""
        self.xy = np.vstack([self.xy, xy[None, :]])
        self.kinds.append(kind)
        return len(self.kinds) - 1

    @property
    def favourite_errand(self) -> int:
        return int(self.errands[np.argmax(self.errand_weights)])


@dataclass
class Vehicle:
    index: int
    vehicle_id: str
    city: City
    schedule: str                 # day | night | part | none
    firmware: str
    fleet: str
    model_year: int
    labelled: bool
    places: Places | None = field(default=None)

    @property
    def faulty(self) -> bool:
        return self.firmware == FAULTY_FIRMWARE


def vehicle_rng(seed: int, index: int) -> np.random.Generator:
    """The vehicle's own stream: places, schedule, driving and defects."""
    return np.random.default_rng([seed, 1, index])


def _quota(rng: np.random.Generator, n: int, shares: list[float]) -> np.ndarray:
    """n category codes with counts as close to n*share as whole numbers allow, shuffled."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def vehicle_ids(n: int) -> list[str]:
    width = max(5, len(str(n - 1)))
    return [f"V{i:0{width}d}" for i in range(n)]


def _pair(share: float) -> list[float]:
    """[1 - share, share], rounded so the default shares stay the exact floats they were."""
    return [round(1.0 - share, 12), share]


def build_fleet(n: int, seed: int, options: DemoOptions | None = None) -> list[Vehicle]:
    options = options or DemoOptions()
    rng = np.random.default_rng([seed, 0])
    mix = dict(options.schedule_mix)
    kinds = list(mix)
    schedule = _quota(rng, n, list(mix.values()))
    cities = tuple(CATALOGUE[name] for name in options.cities)
    default_cities = options.cities == DEFAULT_CITIES
    city = _quota(rng, n, list(CITY_MIX) if default_cities else [1.0] * len(cities))
    labelled = _quota(rng, n, _pair(options.labelled_share)) == 1
    # the faulty firmware is spread over every city: a quota inside each city
    faulty = np.zeros(n, dtype=bool)
    for c in range(len(cities)):
        members = np.flatnonzero(city == c)
        if len(members):
            faulty[members] = _quota(rng, len(members), _pair(options.faulty_share)) == 1
    healthy_fw = rng.integers(0, len(HEALTHY_FIRMWARES), n)
    fleet = rng.integers(0, len(FLEETS), n)
    model_year = rng.integers(2016, 2026, n)
    return [
        Vehicle(index=i, vehicle_id=vid, city=cities[city[i]], schedule=kinds[schedule[i]],
                firmware=FAULTY_FIRMWARE if faulty[i] else HEALTHY_FIRMWARES[healthy_fw[i]],
                fleet=FLEETS[fleet[i]], model_year=int(model_year[i]), labelled=bool(labelled[i]))
        for i, vid in enumerate(vehicle_ids(n))
    ]


def _far_enough(candidate: np.ndarray, taken: list[np.ndarray]) -> bool:
    return all(np.hypot(*(candidate - t)) > MIN_PLACE_SPACING_M for t in taken)


def _sample_near(rng, centre, r_min, r_max, taken, limit_r) -> np.ndarray:
    """A point r_min..r_max metres from centre, inside the city, apart from every taken place."""
    for _ in range(200):
        r = rng.uniform(r_min, r_max)
        a = rng.uniform(0, 2 * np.pi)
        p = centre + r * np.array([np.cos(a), np.sin(a)])
        if np.hypot(*p) <= limit_r and _far_enough(p, taken):
            return p
    raise RuntimeError("could not place a demo location")  # a bug in the radii, not user input


def sample_places(rng: np.random.Generator, vehicle: Vehicle) -> Places:
    limit = vehicle.city.radius_m
    home = np.sqrt(rng.uniform(0.01, 1.0)) * limit * 0.9
    ang = rng.uniform(0, 2 * np.pi)
    taken = [home * np.array([np.cos(ang), np.sin(ang)])]
    kinds = ["home"]
    work = None
    if vehicle.schedule != "none":
        # commutes: median ~6 km, a few long ones
        dist = float(np.clip(rng.lognormal(np.log(6000), 0.5), 1200, 18000))
        taken.append(_sample_near(rng, taken[0], dist * 0.9, dist * 1.1, taken, limit * 1.2))
        kinds.append("work")
        work = 1
    n_err = int(rng.integers(3, 6))
    errand_kinds = rng.permutation(len(ERRAND_KINDS))[:n_err]
    errands = []
    for k in errand_kinds:
        taken.append(_sample_near(rng, taken[0], 700, 4500, taken, limit * 1.3))
        kinds.append(ERRAND_KINDS[k])
        errands.append(len(taken) - 1)
    weights = rng.dirichlet(np.full(n_err, 0.8))
    leisure = []
    for k in rng.permutation(len(LEISURE_KINDS))[: int(rng.integers(2, 4))]:
        taken.append(_sample_near(rng, taken[0], 1500, 9000, taken, limit * 1.4))
        kinds.append(LEISURE_KINDS[k])
        leisure.append(len(taken) - 1)
    return Places(xy=np.array(taken), kinds=kinds, work=work, errands=np.array(errands),
                  errand_weights=weights, leisure=np.array(leisure))
