"""`auditor infer PROJECT [--seed S] [--gap-minutes M] [--model-from SOURCE] [--without GROUP]…
[--rerun RUN] [--weights-from EXPORT_DIR] [--engine local|dask] [--workers N]
[--scheduler ADDRESS] [--json]`, and `auditor infer --list-feature-groups`."""
from __future__ import annotations

import json
import math

from auditor.pipeline import vehicle_ids
from auditor.pipeline.api import LABELS_SOURCE_TEXT, PROJECT_LABELLER_TEXT, infer_project
from auditor.pipeline.engine import make_engine
from auditor.pipeline.weights_from import percent
from auditor.progress import TerminalProgress

CLOCK_WORDS = {"metadata": "the vehicles file's timezone", "stated_offset": "offsets in the stamps",
               "location": "where it parks (zone lookup)", "utc": "nothing: UTC"}




def list_feature_groups(as_json: bool) -> int:
    from auditor.pipeline.feature_groups import DESCRIPTIONS, GROUPS
    if as_json:
        print(json.dumps({g: {"columns": list(c), "description": DESCRIPTIONS[g]}
                          for g, c in GROUPS.items()}, sort_keys=True))
        return 0
    for g, cols in GROUPS.items():
        print(f"{g:<9} {DESCRIPTIONS[g]}\n          {', '.join(cols)}")
    return 0


def _weights_lines(wf: dict | None) -> list[str]:
    if not wf:
        return []
    lines = [f"trained on export {wf['path']} (manifest sha256 {wf['manifest_sha256'][:12]}, "
             f"{wf['rows']} rows)"]
    if wf.get("before_after"):
        from auditor.pipeline.weights_from import before_after_lines
        lines.extend(before_after_lines(wf["before_after"]))
    return lines


def run(args) -> int:
    from auditor.errors import UserError
    if getattr(args, "list_feature_groups", False):
        return list_feature_groups(args.json)
    if not args.project:
        raise UserError("infer: give the project file, e.g. 'auditor infer project.db'")
    if getattr(args, "rerun", None) is not None:
        if args.without or args.weights_from or args.model_from or args.gap_minutes is not None \
                or getattr(args, "label_radius", None) is not None:
            raise UserError("--rerun RUN repeats RUN's recorded settings: give no other "
                            "setting with it")
        from auditor.pipeline.rerun import render_verdict, rerun
        bar = TerminalProgress()
        try:
            summary = rerun(args.project, args.rerun, progress=bar)
        finally:
            bar.close()
        if args.json:
            print(json.dumps(summary, sort_keys=True))
        else:
            print("\n".join(_summary_lines(summary, args.project) + render_verdict(summary["rerun"])))
        return 0
    if getattr(args, "weights_from", None) and getattr(args, "model_from", None):
        raise UserError("--weights-from and --model-from: give one (both say what to learn from)")
    settings = {}
    if getattr(args, "without", None):
        settings["without"] = tuple(args.without)
    if getattr(args, "gap_minutes", None) is not None:
        if not args.gap_minutes > 0:
            from auditor.errors import UserError
            raise UserError(f"--gap-minutes {args.gap_minutes:g}: give a positive number of minutes, e.g. 5")
        settings["gap_minutes"] = float(args.gap_minutes)
    if getattr(args, "label_radius", None) is not None:
        if not 0 < args.label_radius <= MAX_LABEL_RADIUS_M:
            raise UserError(f"--label-radius {args.label_radius:g}: give a distance in metres "
                            f"from 1 to {MAX_LABEL_RADIUS_M:,} (default 250)")
        settings["label_radius_m"] = float(args.label_radius)
    engine = make_engine(getattr(args, "engine", None), getattr(args, "workers", None),
                         getattr(args, "scheduler", None))
    bar = TerminalProgress()
    try:
        # a dict, not an InferConfig: the settings not named here are the latest run's
        # (config.KEPT_SETTINGS)
        summary = infer_project(args.project, seed=args.seed, config=settings,
                                progress=bar, model_from=getattr(args, "model_from", None),
                                weights_from=getattr(args, "weights_from", None),
                                engine=engine)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(summary, sort_keys=True))
        return 0
    print("\n".join(_summary_lines(summary, args.project) + _weights_lines(summary.get("weights_from"))))
    return 0


def _labels_text(summary: dict) -> str:
    """Who labelled the run, in the words the report uses: for a project's own labels, the
    labeller its training vehicles chose (the 02:00 baseline can win on a small fleet)."""
    if summary["labels_source"] == "project_labels":
        return PROJECT_LABELLER_TEXT.get(summary.get("labeller"),
                                         LABELS_SOURCE_TEXT["project_labels"])
    return LABELS_SOURCE_TEXT[summary["labels_source"]]


def _mangled_labels(summary: dict, n: int, vehicles: list) -> bool:
    """Whether ``n`` labels (of ``vehicles``) that match a place only with their coordinates
    read another way are the labels file's doing: half its labelled vehicles or more, at
    least 2 labels, half of those with no place near. Else a few vehicles', whose pings may
    be the mangled ones."""
    return n >= 2 and 2 * n >= _far(summary) and \
        2 * len(vehicles) >= summary.get("labelled_vehicles", len(vehicles))


def _far(summary: dict) -> int:
    """How many labels found no place within the radius."""
    return sum(k for r, k in summary.get("unmatched_reasons", {}).items()
               if r.startswith("no_place_within_"))


def swapped_labels_hint(summary: dict) -> tuple[str, bool] | None:
    """(sentence, whole file) for labels that match no place as given but would with lat and
    lon swapped: the labels file's columns (True, ``_mangled_labels``), else naming the few
    vehicles, whose pings may be the swapped ones (False). None when there are none."""
    swapped = summary.get("unmatched_if_swapped", 0)
    vehicles = summary.get("unmatched_if_swapped_vehicles") or []
    if not swapped:
        return None
    if _mangled_labels(summary, swapped, vehicles):
        return (f"{swapped:,} of the {_far(summary):,} labels with no place near would match "
                "one with lat and lon swapped: the labels file's columns look swapped", True)
    named = _some(vehicles, 5)
    return (f"{swapped:,} label(s) of {named} match a place of the vehicle only with lat and lon "
            "swapped: its pings or its labels have them swapped (the report's local time says "
            "so of pings whose stamps state an offset)", False)


def flipped_labels_hint(summary: dict) -> tuple[str, bool] | None:
    """(sentence, whole file) for labels that match no place as given but would with their
    longitude's (latitude's) sign flipped: the labels file's column (True,
    ``_mangled_labels``), else naming the few vehicles, whose pings may be the flipped ones
    (False). None when none."""
    n = summary.get("unmatched_if_sign_flipped", 0)
    vehicles = summary.get("unmatched_if_sign_flipped_vehicles") or []
    which = summary.get("sign_flipped")
    if not n or not which:
        return None
    if _mangled_labels(summary, n, vehicles):
        return (f"{n:,} of the {_far(summary):,} labels with no place near would match one with "
                f"their {which}'s sign flipped: the labels file's {which} lost its minus sign "
                "(or its hemisphere letter)", True)
    return (f"{n:,} label(s) of {_some(vehicles, 5)} match a place of the vehicle only with the "
            f"{which}'s sign flipped: its pings or its labels lost a minus sign (or a hemisphere "
            "letter; the report's local time says which, for pings whose stamps state an "
            "offset)", False)


def shifted_labels_hint(summary: dict) -> str | None:
    """The sentence for labels that match places of their vehicles only moved by one common
    vector (``unmatched_if_shifted``, labels.match_if_shifted): a datum or a map's shift
    between those vehicles' pings and the labels. None when none."""
    shift = summary.get("unmatched_if_shifted") or {}
    if not shift.get("labels"):
        return None
    north, east = shift["north_m"], shift["east_m"]
    way = compass(north, east)
    return (f"{shift['labels']:,} label(s) of {len(shift['vehicles']):,} vehicle(s) "
            f"({_some(shift['vehicles'])}) match a place of their vehicle only moved "
            f"{math.hypot(north, east):,.0f} m {way}, all the same way: those vehicles' pings "
            "and the labels are in different datums or projections (a device logging in the "
            "old Tokyo datum or China's GCJ-02, a map's shift) — import the odd one again "
            "with --replace and --datum tokyo, gcj02 or bd09 (or converted to WGS-84); a wider "
            "--label-radius would match them to the wrong places")


def compass(north: float, east: float) -> str:
    """'north-east' and the like: which way a vector points, in eight words."""
    words = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
             "north-west")
    return words[round(math.degrees(math.atan2(east, north)) / 45) % 8]


def explained_by_shift(summary: dict) -> bool:
    """Whether the shift explains at least half the labels with no place near: the near-miss
    and other-vehicle hints about the same labels would point the wrong way."""
    shift = summary.get("unmatched_if_shifted") or {}
    return bool(shift.get("labels")) and 2 * shift["labels"] >= _far(summary)


# farther than this a label names a place in another part of town, not a large site
MAX_LABEL_RADIUS_M = 2000


def near_labels_hint(summary: dict, project) -> str | None:
    """The sentence for labels that found no place within the radius but one within twice it
    (``unmatched_near``): a large site, or a wrong label — look before widening it."""
    import shlex
    near = summary.get("unmatched_near") or {}
    if not near.get("labels"):
        return None
    lo, hi = near["nearest_m"]
    span = f"{lo:,} m" if lo == hi else f"{lo:,}-{hi:,} m"
    return (f"{near['labels']:,} label(s) lie {span} from their vehicle's nearest place, beyond "
            f"the {summary['label_radius_m']:g} m a label may lie from it: a large site (a "
            "campus, a depot) whose address lies farther from where its cars park, or labels "
            "that are wrong — look at them on the map (the label queue lists them), then "
            f"'auditor infer {shlex.quote(str(project))} --label-radius {near['radius_m']}' "
            "matches them (later runs keep it)")


def rounded_labels_hint(summary: dict) -> str | None:
    """The sentence for labels whose coordinates are rounded (labels.rounding_m): how far that
    may move them, and the labels rounded too coarsely to be used. None when none are."""
    from auditor.pipeline.labels import COARSEST_ROUNDING_M
    r = summary.get("labels_rounded") or {}
    if not r.get("labels"):
        return None
    text = (f"{r['labels']:,} label(s) have their coordinates rounded (to as few as "
            f"{r['decimals']} decimal(s))")
    if r.get("up_to_m") is not None:
        text += (f": one may lie up to {r['up_to_m']:,} m from the point it stands for, so it "
                 f"matches a place within {summary['label_radius_m']:g} m plus that")
    if r.get("too_coarse"):
        text += (f"; {r['too_coarse']:,} rounded to cells over {COARSEST_ROUNDING_M * 2:,.0f} m "
                 "across name no one place (one matches a place only within the radius) — "
                 "they need more decimals")
    return text


# labels at other vehicles' places under this share of all labels are named as those labels'
FEW_OF_FILE = 0.2


def other_vehicles_hint(summary: dict) -> str | None:
    """The sentence for labels that lie at other vehicles' places and near none of their own
    (``unmatched_at_other_vehicles``): half of those with no place near, and at least 2 — the
    labels' vehicle ids look wrong (a join on the wrong key). None otherwise."""
    other = summary.get("unmatched_at_other_vehicles") or {}
    n, far = other.get("labels", 0), other.get("of_far", 0)
    if n < 2 or 2 * n < far:
        return None
    total = summary.get("matched_labels", 0) + summary.get("unmatched_labels", 0)
    where = (f"{n:,} of the {far:,} labels with no place of their vehicle near lie at another "
             f"vehicle's place ({'; '.join(other['examples'])})")
    if FEW_OF_FILE * total > n:
        # a few labels of many: those labels' ids, or labels naming a place their vehicle never
        # went that others do (a shop, a shared site: a wrong label, not a wrong join)
        return (f"{where}: their vehicle ids may be wrong, or they name a place their vehicle "
                "never went — check those labels")
    return (f"{where}: the labels' vehicle ids look wrong — joined on the wrong key, or "
            "shifted? Fix the ids and import the labels again with --replace")


def _some(ids: list, shown: int = 3) -> str:
    """'a, b, c and 4 more': the first ``shown`` of the vehicles a hint names."""
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def trip_ids_hint(summary: dict) -> str | None:
    """The sentence for vehicles whose trip_id column infer did not use."""
    aside = summary.get("trip_ids_set_aside") or []
    if not aside:
        return None
    named = _some(aside)
    return (f"trip ids of {len(aside):,} vehicle(s) set aside ({named}): one of each lasted "
            "through hours parked, as no trip does (ids of days, zeros, a GPX track a day?) — "
            "their trips were split on silences")


def moved_hint(summary: dict) -> str | None:
    """The sentence for vehicles that moved house (pipeline.moves)."""
    moved = summary.get("moved_house") or []
    if not moved:
        return None
    named = _some(moved)
    return (f"{len(moved):,} vehicle(s) moved house, or went away for the rest of the period "
            f"({named}): their nights moved from one place to another for good; the home their "
            "label does not name is not trained on as 'other', and the label queue says which "
            "home each label names")


def cut_short_hint(summary: dict) -> str | None:
    """The sentence for vehicles whose trips end short of where they park (cut_ends)."""
    cut = summary.get("trips_cut_short") or {}
    if not cut:
        return None
    metres = sorted(cut.values())
    return (f"trips of {len(cut):,} vehicle(s) end short of where they park, by about "
            f"{metres[len(metres) // 2]:,} m ({_some(sorted(cut))}): cut for privacy? Their "
            "stops stand where the ways in and out meet, not at the last fix")


def kept_line(summary: dict) -> str | None:
    kept = summary.get("kept_settings") or {}
    words = {"gap_minutes": ("--gap-minutes", "{:g} min"),
             "label_radius_m": ("--label-radius", "{:g} m")}
    if not kept:
        return None
    parts = [f"{words[k][1].format(v)} ({words[k][0]})" for k, v in sorted(kept.items())]
    return "settings kept from the latest run: " + ", ".join(parts)


def _summary_lines(summary: dict, project="PROJECT") -> list[str]:
    lines = [
        f"{summary['vehicles']} vehicles, {summary['pings']} pings -> {summary['trips']} trips, "
        f"{summary['stops']} stops, {summary['places']} places",
        f"labels: {summary['matched_labels']} matched, {summary['unmatched_labels']} unmatched"
        + (" (" + ", ".join(f"{k}: {v}" for k, v in summary["unmatched_reasons"].items()) + ")"
           if summary["unmatched_labels"] else ""),
        f"labelled places: {summary['labelled_places']} "
        f"({summary['validation_vehicles']} validation vehicles)",
        f"test accuracy (the number to trust): {percent(summary['test_accuracy'])} on "
        f"{summary['test_vehicles']} test vehicles, baseline (02:00 rule) "
        f"{percent(summary['baseline_test_accuracy'])}",
        f"validation accuracy: model {percent(summary['val_accuracy'])}, "
        f"baseline (02:00 rule) {percent(summary['baseline_val_accuracy'])}",
        f"labels of run {summary['run_id']}: {_labels_text(summary)}; "
        f"baseline run {summary['baseline_run_id']}; {summary['seconds']:.1f} s",
        "local time: " + ", ".join(f"{n} vehicle(s) from {CLOCK_WORDS.get(k, k)}" for k, n in
                                   summary["local_time_sources"].items()),
    ]
    for n, line in enumerate(vehicle_ids.hint_lines(summary.get("ids_written_differently") or {})):
        lines.insert(2 + n, "  " + line)
    swapped = swapped_labels_hint(summary)
    if swapped:
        hint, whole = swapped
        lines.insert(2, "  " + hint + (" — import it again with --map lat=ITS_LON_COLUMN --map "
                                       "lon=ITS_LAT_COLUMN --replace" if whole else
                                       " — import the swapped file again with --map lat=... "
                                       "--map lon=... --replace"))
    flipped = flipped_labels_hint(summary)
    if flipped:
        lines.insert(2, "  " + flipped[0] + " — correct the file and import it again with "
                     "--replace")
    shifted = explained_by_shift(summary)
    near = near_labels_hint(summary, project) if not shifted else None
    if near:
        lines.insert(2, "  " + near)
    rounded = rounded_labels_hint(summary)
    if rounded:
        lines.insert(2, "  " + rounded)
    elsewhere = other_vehicles_hint(summary) if not shifted else None
    if elsewhere:
        lines.insert(2, "  " + elsewhere)
    shift = shifted_labels_hint(summary)
    if shift:
        lines.insert(2, "  " + shift)
    kept = kept_line(summary)
    if kept:
        lines.append(kept)
    aside = trip_ids_hint(summary)
    if aside:
        lines.insert(1, "  " + aside)
    moved = moved_hint(summary)
    if moved:
        lines.insert(2, "  " + moved)
    cut = cut_short_hint(summary)
    if cut:
        lines.insert(1, "  " + cut)
    if summary.get("without"):
        lines.append("left out of the model: " + ", ".join(summary["without"]))
    f = summary["flags"]
    if f["place_flags"]:
        lines.append(f"place flags: {f['attached']} attached ({f['repointed']} under a new "
                     f"place id), {f['orphaned']} orphaned"
                     + (" — see 'auditor flags PROJECT'" if f["orphaned"] else ""))
    return lines
