"""`auditor ingest PROJECT FILE_OR_DIR... [--kind] [--map FIELD=COLUMN]... [--tz ZONE]
[--only KEY=VALUE]... [--ignore-offset] [--replace] [--min-time TIME] [--max-time TIME]
[--pings-store DIR [--pings-buckets N]] [--engine local|dask] [--workers N]
[--scheduler ADDRESS] [--json]`."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from auditor.engine import make_engine
from auditor.errors import UserError
from auditor.ingest import time_formats
from auditor.ingest.api import ingest_paths
from auditor.ingest.columns import parse_map
from auditor.ingest.parallel import PRELOAD
from auditor.ingest.readers import FOLDER_SUFFIXES, text_suffix
from auditor.progress import TerminalProgress


def expand_inputs(items) -> list:
    """The files to import: a file as given; a folder -> every data file (FOLDER_SUFFIXES,
    gzip too) directly in it (not hidden, not in subfolders), sorted by name, so the import
    order — and with it the project — is the same on every machine."""
    out = []
    for item in items:
        path = Path(item)
        if not path.is_dir():
            out.append(item)
            continue
        try:
            found = sorted((p for p in path.iterdir() if text_suffix(p) in FOLDER_SUFFIXES
                            and not p.name.startswith(".") and p.is_file()),
                           key=lambda p: p.name)
        except OSError as exc:
            raise UserError(f"{path}: cannot list the folder ({exc.strerror}) — check "
                            "permissions") from None
        if not found:
            raise UserError(f"{path}: no data files in this folder "
                            f"({' '.join(FOLDER_SUFFIXES)}, gzip too) — name the files, or the "
                            "folder that holds them")
        out.extend(found)
    return out


def run(args) -> int:
    column_map = parse_map(getattr(args, "map", None))
    engine = make_engine(getattr(args, "engine", None), getattr(args, "workers", None),
                         getattr(args, "scheduler", None), preload=PRELOAD)
    files = expand_inputs(args.files)
    bar = TerminalProgress()
    try:
        summaries = ingest_paths(args.project, files, kind=args.kind,
                                 column_map=column_map, tz=args.tz, progress=bar,
                                 only=getattr(args, "only", None),
                                 ignore_offset=getattr(args, "ignore_offset", False),
                                 replace=getattr(args, "replace", False),
                                 min_time=getattr(args, "min_time", None),
                                 max_time=getattr(args, "max_time", None),
                                 pings_store=getattr(args, "pings_store", None),
                                 pings_buckets=getattr(args, "pings_buckets", None),
                                 engine=engine, vehicle=getattr(args, "vehicle", None),
                                 time_format=getattr(args, "time_format", None),
                                 datum=getattr(args, "datum", None))
    finally:
        bar.close()
    if args.json:
        payload = summaries[0] if len(summaries) == 1 else summaries
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        examples = first_refused(args.project, summaries)
        for summary in summaries:
            print(describe(summary, examples.get(summary.get("import_id"), {})))
        days = gpx_days_hint(summaries)
        if days:
            print(days)
    return 0


def gpx_days_hint(summaries: list[dict]) -> str | None:
    """The sentence for several GPX files of one command that became a vehicle each (named
    after the file) and never overlap in time: a tracker app writes a file a day, and a car
    became a fleet of one-day vehicles. None otherwise."""
    ones = sorted((s["gpx_one_vehicle"] for s in summaries if s.get("gpx_one_vehicle")),
                  key=lambda o: (o["first_ts"], o["last_ts"]))
    if len(ones) < 2 or len({o["vehicle"] for o in ones}) < len(ones) or \
            any(b["first_ts"] < a["last_ts"] for a, b in zip(ones, ones[1:])):
        return None
    return (f"{len(ones)} GPX files became {len(ones)} vehicles, one per file "
            f"({', '.join(o['vehicle'] for o in ones[:3])}{' …' if len(ones) > 3 else ''}), "
            "and their times never overlap: if they are one car's days, import them into a new "
            "project with --vehicle NAME")


# what to do when a reason refuses most of a file (a format problem, not a few bad rows)
FIXES = {
    "bad_timestamp": "timestamps must be ISO-8601 (2026-03-02T08:15:00+01:00; naive ones with "
                     "--tz), epoch seconds / milliseconds, or the form --time-format names "
                     "(e.g. '%d.%m.%Y %H:%M:%S') — give it, or convert the column",
    "missing_vehicle_id": "every row needs a vehicle id — is --map vehicle_id=COLUMN the right "
                          "column?",
    "missing_lat_lon": "lat and lon must be decimal degrees, signed or with their hemisphere "
                       "(N/S, E/W) beside them or in a column of their own (--map "
                       "lat_hemisphere=/lon_hemisphere=) — is --map lat=/lon= the right column?",
    "lat_lon_out_of_range": "lat must lie within ±90 and lon within ±180 decimal degrees — lat "
                            "and lon swapped, or scaled (E7)? --map them or rescale",
    "unknown_label": "a given label is home or work (rename the rest, e.g. office -> work)",
    "malformed_row": "these lines have more fields than the header — check the delimiter and "
                     "quoting",
    "implausible_timestamp": "outside the import's time window — pass --min-time / --max-time "
                             "if these dates are real",
    "bad_encoding": "these lines are not UTF-8 — save the file as UTF-8",
    "repeated_header": "the file's header line again, where exports were pasted one after "
                       "another: no row is lost",
    "coarse_fix": "the file's fix-type column says these positions came from cell towers "
                  "(LBS), not satellites, or its accuracy column says they are over 200 m off: "
                  "kept out of trips and places; nothing to fix",
    "stale_fix": "the file's fix-valid column says the device had no fix and held its last "
                 "position while the vehicle drove on (its next fix far away: jamming, a "
                 "tunnel): no stop there; nothing to fix",
    "clock_reset": "their vehicle's clock was reset (stamps in the days after 1970-01-01, "
                   "1980-01-06 or 2000-01-01) or its GPS receiver's week counter rolled over "
                   "(exactly 1024 weeks, 19.6 years, before the vehicle's other pings) — "
                   "update the device's firmware; the times of these fixes are unknown",
    # most of a file refused for these is not GPS noise but a column read as what it is not
    "impossible_jump": "each lies farther from its vehicle's fix before than a car drives in "
                       "the time between — with most rows so, several vehicles share one id "
                       "(is --map vehicle_id the right column?) or the times are misread "
                       "(day and month: --time-format)",
    "duplicate_ping": "each repeats a ping already read (same vehicle, time and position, in "
                      "this file or in the project) and is left out, the ping kept once — the "
                      "file holds its rows twice, or was imported before: nothing is lost",
}
# spreadsheet serial days read as epoch seconds: 100,000 days (year 2173) is 1970-01-02
SPREADSHEET_DAYS_MAX = 100_000
GPS_EPOCH = 315_964_800  # 1980-01-06T00:00:00Z, week 0 of GPS time
# a reason refusing at least this share of a pings file gets an example and a fix (in a labels
# or vehicles file every refused row matters: each is a vehicle's label or metadata)
MOST = 0.5


def worth_showing(summary: dict) -> list[str]:
    """The reasons of a file's summary that refused most of it (any, in a labels or vehicles
    file): the ones shown with an example and what to do."""
    if summary.get("skipped") or not summary.get("read"):
        return []
    return [r for r, n in summary["reasons"].items()
            if n >= MOST * summary["read"] or summary["kind"] != "pings"]


# a GPX file has no columns to convert: its track points carry the times, or not
GPX_FIXES = {"bad_timestamp": "the track points have no <time> (or one that is not ISO-8601) — "
                              "export the tracks with their times"}


def fixes_for(summary: dict) -> dict[str, str]:
    """reason -> what to do, for the reasons ``worth_showing`` that have a known fix (the CLI's
    lines and the import wizard's last page)."""
    known = {**FIXES, **GPX_FIXES} if summary.get("file_format") == "gpx" else FIXES
    if "implausible_span" in summary:
        known = {**known, "implausible_timestamp": outside_window_fix(summary)}
    if "out_of_range_span" in summary:
        known = {**known, "lat_lon_out_of_range": out_of_range_fix(summary)}
    form = summary.get("time_format") or {}
    if form and not form.get("guessed"):
        known = {**known, "bad_timestamp": f"these do not read as --time-format "
                                           f"'{form['format']}' — compare it with the line"}
    return {r: known[r] for r in worth_showing(summary) if r in known}


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def out_of_range_fix(summary: dict) -> str:
    """What to do about coordinates out of range, from the range they span: lat and lon
    swapped, degrees times a power of ten (E6, E7: integer formats of trackers), or the metres
    of a projection (UTM: eastings 100-900 km, northings up to 10,000 km)."""
    lat, lon = summary["out_of_range_span"]["lat"], summary["out_of_range_span"]["lon"]
    big_lat, big_lon = max(map(abs, lat)), max(map(abs, lon))
    if big_lat <= 180 and big_lon <= 90:
        how = ("--map home_lat=ITS_LON_COLUMN --map home_lon=ITS_LAT_COLUMN (and work_ alike)"
               if summary.get("wide_labels") else
               "--map lat=THE_LON_COLUMN --map lon=THE_LAT_COLUMN")
        return ("lat must lie within ±90: these lie within ±180, lon within ±90 — lat and lon "
                f"look swapped: {how}")
    said = []
    if min(lon) >= 100_000 and max(lon) <= 900_000 and min(lat) >= 0 and max(lat) <= 10_000_000:
        said.append(f"lon {min(lon):,.0f}-{max(lon):,.0f} and lat {min(lat):,.0f}-"
                    f"{max(lat):,.0f} look like UTM eastings and northings (metres), not "
                    "degrees — convert them to WGS84 lat/lon (QGIS, pyproj)")
    k = next((k for k in range(1, 10) if big_lat / 10 ** k <= 90 and big_lon / 10 ** k <= 180),
             None)
    if k is not None and k >= 4:
        said.append(f"degrees times 1e{k} (E{k}: lat {lat[0]:,.0f} is {lat[0] / 10 ** k:g}°) "
                    f"— divide both columns by {10 ** k:,}")
    if not said:
        return FIXES["lat_lon_out_of_range"]
    return "these are not decimal degrees: " + "; or ".join(said)


def outside_window_fix(summary: dict) -> str:
    """What to do about stamps outside the time window, from when they lie: numbers read as
    seconds since 1970 that fall in its first weeks are spreadsheet serial days (46083.6 is
    2026-03-02 to a spreadsheet), a GPS receiver without a fix starts at 1980-01-06."""
    lo, hi = summary["implausible_span"]
    w_lo, w_hi = summary["time_window"]
    span = _day(lo) if _day(lo) == _day(hi) else f"{_day(lo)} to {_day(hi)}"
    told = f"dated {span}, outside the import's window {_day(w_lo)} to {_day(w_hi)}"
    if 0 <= lo and hi < SPREADSHEET_DAYS_MAX:
        return (f"{told}: numbers this small are not seconds since 1970 but a spreadsheet's "
                "serial days (days since 1899-12-30) — save the column as ISO-8601 text "
                "(2026-03-02T08:15:00+01:00)")
    if GPS_EPOCH <= lo and hi < GPS_EPOCH + 7 * 86_400:
        return (f"{told}: 1980-01-06 is where a GPS receiver's clock starts before its first "
                "fix — these pings have no real time; leave them out")
    return f"{told} — pass --min-time / --max-time if these dates are real"


def first_refused(project, summaries: list[dict]) -> dict[int, dict[str, tuple[int, str]]]:
    """import_id -> reason -> (line, raw text) of its first refused row, for the reasons that
    refused most of their file."""
    wanted = {s["import_id"]: worth_showing(s) for s in summaries
              if s.get("import_id") is not None}
    wanted = {i: reasons for i, reasons in wanted.items() if reasons}
    if not wanted:
        return {}
    from auditor.store import open_project
    conn = open_project(Path(project), create=False, readonly=True)
    try:
        return {i: {reason: row for reason in reasons for row in conn.execute(
            "SELECT line, raw FROM quarantine WHERE import_id = ? AND reason = ? "
            "ORDER BY line LIMIT 1", (int(i), reason))}
                for i, reasons in wanted.items()}
    finally:
        conn.close()


def notes_for(summary: dict) -> list[str]:
    """What else a file's summary says beside its counts (the terminal's lines under the file
    and the import wizard's last page): how a labels file in wide form was read, vehicles a
    file names twice."""
    notes = []
    if summary.get("speed_unit"):
        unit = summary["speed_unit"]
        why = (f"its values are {unit['ratio']:g}x the speed between fixes"
               if unit.get("ratio") is not None else "its column's name says so")
        notes.append(f"speed read as {unit['unit']} ({why}) and stored in m/s")
    if summary.get("time_from_columns"):
        date, time = summary["time_from_columns"]
        notes.append(f"times joined from its date and time columns ({date} + {time})")
    if summary.get("arrival_clock"):
        from auditor.ingest.arrival_clock import describe as clock_words
        moved = {v: (m["shift_s"], m["rows"]) for v, m in summary["arrival_clock"].items()}
        notes.append(f"{len(moved):,} vehicle(s) stamp their fixes a whole number of hours from "
                     "when the platform received them (local time written as UTC, or the "
                     f"reverse); their stamps moved by that: {clock_words(moved)}")
    if summary.get("datum"):
        from auditor.ingest.datums import NAMES
        notes.append(f"coordinates read in {NAMES[summary['datum']]} and stored in WGS-84")
    if (summary.get("time_format") or {}).get("guessed"):
        fmt = summary["time_format"]["format"]
        order = time_formats.order_words(fmt)
        notes.append("times read as a spreadsheet's serial days (days since 1899-12-30)"
                     if fmt == time_formats.SERIAL_DAYS else
                     f"times read as {fmt!r}{f' ({order})' if order else ''}, the form of its "
                     f"first rows{', in the order its dates tell' if order else ''}")
    if summary.get("repeated_hour_second"):
        notes.append(f"{summary['repeated_hour_second']:,} stamp(s) in the hour that happens "
                     "twice when the clocks go back (summer time ending, a zone moving west) "
                     "read as its second occurrence: their vehicle's clock went back to them")
    if summary.get("other_date_order"):
        other = summary["other_date_order"]
        shown = list(other["vehicles"].items())
        names = ", ".join(f"{v} ({n:,} rows)" for v, n in shown[:3]) + (
            f" and {len(shown) - 3} more" if len(shown) > 3 else "")
        notes.append(f"{len(shown):,} vehicle(s) write their dates the other way round, "
                     f"{time_formats.order_words(other['format'])} ({other['format']!r}): "
                     f"{names} — read so from the chunk their rows showed it on")
    if summary.get("gps_week_rollover"):
        notes.append(f"{summary['gps_week_rollover']:,} GPS stamp(s) 1024 weeks (or 2048) "
                     "before the time their fix was received moved forward by that: a GPS "
                     "week-number rollover")
    if summary.get("lon_east_of_180"):
        notes.append(f"{summary['lon_east_of_180']:,} longitude(s) counted 0-360° east read as "
                     "west of 180° (e.g. 180.12 as -179.88)")
    if summary.get("label_column_from_values"):
        notes.append(f"a labels file: its column '{summary['label_column_from_values']}' says "
                     "home or work (pass --kind vehicles if it is vehicle metadata)")
    if summary.get("wide_labels"):
        pairs = ", ".join(f"{w}_lat/{w}_lon" for w in summary["wide_labels"])
        note = f"one label row per {pairs} pair given on a line"
        if summary.get("columns_not_read"):
            note += (f"; not read: {', '.join(summary['columns_not_read'])} (vehicle metadata? "
                     "import the file again with --kind vehicles)")
        notes.append(note)
    if summary.get("workbook_sheet"):
        w = summary["workbook_sheet"]
        notes.append(f"read sheet {w['sheet']!r}, the one with the most rows of the "
                     f"workbook's {w['sheets']} sheets with rows")
    if summary.get("json_shape"):
        notes.append(f"read as a JSON document: {summary['json_shape']}")
    one = summary.get("gpx_tracks_one_vehicle")
    if one:
        notes.append(f"its {one['tracks']:,} tracks follow one another in time (none overlaps "
                     f"another), so they are one vehicle's log: vehicle '{one['vehicle']}', "
                     "after the file (--map vehicle_id=track makes each track a vehicle)")
    twice = summary.get("vehicles_named_twice")
    if twice:
        notes.append(f"{twice['vehicles']:,} vehicle(s) named twice with different metadata "
                     f"(e.g. {twice['example']}): the last row is kept — which is right?")
    return notes


def describe(summary: dict, examples: dict | None = None) -> str:
    """One readable paragraph per file; ``examples`` (reason -> (line, raw)): the first row of
    each reason that refused most of the file, shown with what to do."""
    if summary["skipped"]:
        return f"{summary['file']}: already imported — nothing to do"
    text = (f"{summary['file']}: {summary['kind']}: {summary['read']:,} rows read, "
            f"{summary['accepted']:,} accepted, {summary['quarantined']:,} quarantined")
    if "not_selected" in summary and summary["kind"] == "labels":
        text += (f"; {summary['deleted_labels']:,} earlier labels of "
                 f"{summary['replaced_vehicles']:,} vehicles replaced")
    elif "not_selected" in summary:
        text += (f", {summary['not_selected']:,} of other vehicles left out; "
                 f"{summary['deleted_pings']:,} stored pings of "
                 f"{summary['replaced_vehicles']:,} vehicles replaced")
    for note in notes_for(summary):
        text += "\n  " + note
    fixes = fixes_for(summary)
    for reason, n in summary["reasons"].items():
        text += f"\n  {reason}: {n:,}"
        if examples and reason in examples:
            line, raw = examples[reason]
            shown = raw if len(raw) <= 80 else raw[:77] + "..."
            share = "most of the file; " if n >= MOST * summary["read"] else ""
            text += (f" — {share}line {line}: {shown!r}"
                     + (f"\n    {fixes[reason]}" if reason in fixes else ""))
    return text
