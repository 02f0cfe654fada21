"""The command line (../shared/docs/cli.md is the contract). Parsing only: each command runs a
function in the package that owns it, imported when the command is used so that `auditor
--version` stays fast and the core never imports Qt (the GUI is reached through importlib)."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from auditor import __version__
from auditor.errors import Cancelled, UserError

# command -> "module:function"; the function takes the parsed args and returns an exit code
HANDLERS = {
    "gui": "auditor.gui.app:run_cli",
    "open": "auditor.gui.app:run_cli",
    "smoke-test": "auditor.gui.app:run_smoke_test",
    "demo": "auditor.demo.command:run_demo",
    "demo-data": "auditor.demo.command:run_demo_data",
    "ingest": "auditor.ingest.command:run",
    "infer": "auditor.pipeline.command:run",
    "report": "auditor.analysis.command:run",
    "runs": "auditor.analysis.runs_command:run",
    "flags": "auditor.audit.command:run",
    "review": "auditor.audit.review_command:run",
    "map": "auditor.maps.command:run",
    "export": "auditor.export.command:run_export",
    "verify": "auditor.export.command:run_verify",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # wrong usage: exit 2 with one line
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from auditor.analysis.registry import tab_keys  # pandas-free: names only
    from auditor.demo import defaults

    p = _Parser(prog="auditor", description="Audit vehicle drive data and home/work labels.")
    p.add_argument("--version", action="version", version=f"auditor {__version__}")
    p.add_argument("--smoke-test", action="store_true",
                   help="build the main window and map on a tiny demo project, then exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    o = sub.add_parser("open", help="open the GUI on a project")
    o.add_argument("project", help="the project file (.db) to open")
    o.add_argument("--screenshot", metavar="FILE.png",
                   help="render the main window with the map drawn, write the PNG and exit")
    o.add_argument("--vehicle", help="select this vehicle first (its whole map, first place)")
    o.add_argument("--tab", choices=tab_keys(),
                   help="show this tab of the Analysis panel")
    o.add_argument("--size", metavar="WxH",
                   help="window size in pixels, e.g. 1280x800 (also the screenshot's size; "
                        "default: the last size, or 1400x900)")

    def fleet_options(parser) -> None:
        parser.add_argument("--vehicles", type=int, default=defaults.VEHICLES,
                            help=f"how many vehicles (default {defaults.VEHICLES})")
        parser.add_argument("--days", type=int, default=defaults.DAYS,
                            help=f"how many days of driving (default {defaults.DAYS})")
        parser.add_argument("--seed", type=int, default=defaults.SEED,
                            help=f"random seed: the same seed gives the same bytes "
                                 f"(default {defaults.SEED})")

    def engine_options(parser, does: str, dask_note: str, on: str, paths: str = "") -> None:
        """--engine/--workers/--scheduler: ingest and infer share them (auditor.engine)."""
        parser.add_argument("--engine", choices=["local", "dask"], default=None,
                            help=f"who {does}: this process (local, the default) or a Dask "
                                 f"cluster ({dask_note})")
        parser.add_argument("--workers", type=int, default=None, metavar="N",
                            help="dask: worker processes of the local cluster it starts "
                                 "(default: the machine's cores)")
        parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                            help=f"dask: {on} an existing cluster, e.g. tcp://host:8786 "
                                 f"(default: $DASK_SCHEDULER_ADDRESS, else a local cluster)"
                                 f"{paths}")

    d = sub.add_parser("demo", help="demo-data + ingest + infer, then the GUI")
    d.add_argument("--out", default=None, help="project file (default: a demo project in the "
                   "user data directory)")
    fleet_options(d)
    d.add_argument("--no-gui", action="store_true",
                   help="build (or reuse) the demo project and print its report; no window")

    dd = sub.add_parser("demo-data", help="write a synthetic demo fleet")
    dd.add_argument("out_dir", help="folder for pings.csv, labels.csv, vehicles.csv, truth.json")
    fleet_options(dd)

    i = sub.add_parser("ingest", help="import pings, labels or vehicle metadata")
    i.add_argument("project", help="the project file (.db); created if missing")
    i.add_argument("files", nargs="+", metavar="FILE_OR_DIR",
                   help="CSV, Parquet, GPX, KML, JSON (Lines), NMEA or Excel files; a folder means every "
                        "such file directly in it (.txt/.log only when named), in name order")
    i.add_argument("--kind", choices=["pings", "labels", "vehicles"],
                   help="what the files hold (default: guessed from the columns)")
    i.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="read FIELD from COLUMN (repeatable)")
    i.add_argument("--vehicle", metavar="ID",
                   help="pings and labels: every row of these files is vehicle ID (one car's "
                        "log without a vehicle column; a car's GPX files, one per day); "
                        "'{file}': each file is one vehicle, named after the file (a folder "
                        "of logs, one file per vehicle)")
    i.add_argument("--tz", help="IANA timezone of naive timestamps, e.g. Europe/Berlin; "
                                "'vehicle': each vehicle's own (the timezone column of its "
                                "vehicles file, imported first)")
    i.add_argument("--time-format", metavar="FORMAT",
                   help="pings: how the timestamps are written, in strftime codes, e.g. "
                        "'%%d/%%m/%%Y %%H:%%M' or '%%m/%%d/%%Y %%I:%%M:%%S %%p', or "
                        "spreadsheet-days (default: ISO-8601 or epoch numbers, else the form "
                        "found in the first rows)")
    i.add_argument("--datum", metavar="DATUM",
                   help="pings and labels: the datum the coordinates are written in, moved to "
                        "WGS-84 (GPS's) on import: gcj02 (mainland China's map datum), bd09 "
                        "(Baidu), tokyo (Japan before 2002); default wgs84")
    i.add_argument("--only", action="append", default=[], metavar="KEY=VALUE",
                   help="pings: import only vehicles whose metadata has KEY=VALUE (repeatable: every "
                        "key must match; a key given twice matches either value)")
    i.add_argument("--ignore-offset", action="store_true",
                   help="pings: the stated offset/'Z' is wrong; read times as local wall time "
                        "in each vehicle's metadata timezone (or --tz)")
    i.add_argument("--replace", action="store_true",
                   help="pings and labels: delete the imported vehicles' stored pings "
                        "(labels) first, in the same transaction")
    i.add_argument("--min-time", metavar="TIME",
                   help="pings: quarantine pings before TIME as implausible_timestamp (date, "
                        "ISO-8601 time or epoch seconds; default 2000-01-01)")
    i.add_argument("--max-time", metavar="TIME",
                   help="pings: quarantine pings after TIME (default: now + 1 day)")
    i.add_argument("--pings-store", metavar="DIR",
                   help="pings: keep accepted pings in a Parquet dataset in DIR (partitioned by "
                        "vehicle bucket) instead of the project file; for fleets that outgrow "
                        "one file")
    i.add_argument("--pings-buckets", type=int, metavar="N",
                   help="pings: vehicle buckets of a new --pings-store (default 128; ~1M pings "
                        "per bucket suits a cluster)")
    engine_options(i, "reads and validates the files",
                   "dask: one file per task; this process writes the project, the same as "
                   "local", "validate on", "; its workers must see the files at the same paths")
    i.add_argument("--json", action="store_true",
                   help="print one JSON summary per file instead of text")

    n = sub.add_parser("infer", help="trips, stops, places, features, model, predictions")
    n.add_argument("project", nargs="?", help="the project file (.db)")
    n.add_argument("--seed", type=int, default=None,
                   help="random seed of the model and the split (default: the latest run's, "
                        "so the split stays put between runs; 0 for the first run)")
    n.add_argument("--gap-minutes", type=float, default=None,
                   help="split trips on time gaps longer than this (default 5; later runs "
                        "keep the value given)")
    n.add_argument("--label-radius", type=float, default=None, metavar="METRES",
                   help="a given label names the vehicle's nearest place within this many "
                        "metres (default 250; later runs keep the value given): more for a "
                        "large site whose address lies farther from where its cars park")
    n.add_argument("--model-from", metavar="PROJECT_OR_EXPORT",
                   help="label with a model trained on another project's labels or on an "
                        "export folder's training set (re-trained here, deterministic)")
    n.add_argument("--without", action="append", default=[], metavar="GROUP",
                   help="leave this feature group out of the model (repeatable; "
                        "--list-feature-groups names them)")
    n.add_argument("--list-feature-groups", action="store_true",
                   help="print the feature groups and their columns, then exit")
    n.add_argument("--rerun", type=int, metavar="RUN",
                   help="re-run RUN's recorded settings and seed, and say whether the "
                        "predictions are byte-identical (or what differs)")
    n.add_argument("--weights-from", metavar="EXPORT_DIR",
                   help="train on an export's corrected labels, exclusions and sample_weight "
                        "(its run's seed and split); report before -> after on test vehicles")
    engine_options(n, "derives trips, stops, places and features", "dask", "run on")
    n.add_argument("--json", action="store_true", help="print the summary as JSON")

    r = sub.add_parser("report", help="validation metrics, suspicious labels, error tree, skew")
    r.add_argument("project", help="the project file (.db), inferred")
    r.add_argument("--json", action="store_true",
                   help="print the whole report as JSON (one section per analysis)")
    r.add_argument("--predictions", metavar="FILE.csv",
                   help="also write the run's predictions to this CSV")
    r.add_argument("--truth", metavar="truth.json",
                   help="(demo only) also score against a demo truth file")
    r.add_argument("--run", type=int, metavar="RUN",
                   help="report on this model run (default: the latest)")
    r.add_argument("--before", type=int, metavar="RUN",
                   help="compare every population's errors with this model run "
                        "(default: the previous one)")

    rs = sub.add_parser("runs", help="every run: settings, seed, data/code version, accuracy")
    rs.add_argument("project", help="the project file (.db)")
    rs.add_argument("--compare", nargs=2, type=int, metavar=("A", "B"),
                    help="run A against run B: settings, accuracy per population, places "
                         "labelled differently")
    rs.add_argument("--json", action="store_true", help="print as JSON")

    f = sub.add_parser("flags", help="the flag event log")
    f.add_argument("project", help="the project file (.db)")
    f.add_argument("--export", metavar="FILE.csv", help="write the whole event log as CSV")
    f.add_argument("--import", dest="import_", metavar="FILE.csv",
                   help="merge another analyst's exported log (events already present are "
                        "skipped)")
    f.add_argument("--json", action="store_true",
                   help="print the log and the flags in force (where each points now) as JSON")
    f.add_argument("--reattach", nargs=2, metavar=("EVENT", "PLACE"),
                   help="point the (orphaned) place flag EVENT at PLACE (a new event)")
    f.add_argument("--revoke", metavar="EVENT", help="revoke flag EVENT (a new event)")
    f.add_argument("--analyst", help="who makes the --reattach/--revoke event")
    f.add_argument("--note", help="note for the --reattach/--revoke event")

    rv = sub.add_parser("review", help="a second analyst's decision on a flag (never one's own)")
    rv.add_argument("project", help="the project file (.db)")
    rv.add_argument("--analyst", required=True, help="who reviews (the event records it)")
    rv.add_argument("--accept", metavar="EVENT", help="accept flag EVENT as it stands")
    rv.add_argument("--reject", metavar="EVENT",
                    help="reject flag EVENT (say why with --note)")
    rv.add_argument("--amend", metavar="EVENT",
                    help="keep flag EVENT's correction but with another label (--label)")
    rv.add_argument("--label", choices=["home", "work", "other"],
                    help="the reviewer's label for --amend")
    rv.add_argument("--note", help="why (recorded with the decision)")
    rv.add_argument("--list", action="store_true",
                    help="list the flags pending this analyst's review and every decision made")
    rv.add_argument("--json", action="store_true", help="print the result as JSON")

    m = sub.add_parser("map", help="write a vehicle's map as standalone HTML")
    m.add_argument("project", help="the project file (.db), inferred")
    m.add_argument("--vehicle", required=True, help="the vehicle to draw")
    m.add_argument("--out", required=True, metavar="FILE.html", help="where to write the page")
    m.add_argument("--basemap", default=None,
                   help="none, osm, an https tile URL template, or mbtiles:FILE (tiles "
                        "embedded); default: the project's basemap (none unless set)")

    e = sub.add_parser("export", help="reweighted training set + manifest.json")
    e.add_argument("project", help="the project file (.db), inferred")
    e.add_argument("out_dir", help="folder to write into (created; must be empty or an earlier "
                                   "export)")
    e.add_argument("--format", choices=["csv", "parquet"], default="csv",
                   help="file format of the training set (default csv)")
    e.add_argument("--json", action="store_true", help="print the summary as JSON")
    e.add_argument("--k", type=int, default=None, help="neighbours per validation error")
    e.add_argument("--factor", type=float, default=None, help="upweight factor")
    e.add_argument("--balance-classes", action="store_true",
                   help="weight home / work / other to count the same in total")
    e.add_argument("--skip-orphaned", action="store_true",
                   help="export even though some place flags are orphaned (they are left out)")
    e.add_argument("--redact", action="store_true",
                   help="manifest without absolute paths, host or user details")
    e.add_argument("--reviewed-only", action="store_true",
                   help="apply only flags a second analyst accepted or amended (amended: "
                        "with the reviewer's label)")

    v = sub.add_parser("verify", help="re-derive an export and compare every hash")
    v.add_argument("out_dir", help="the export folder (with its manifest.json)")
    v.add_argument("--project", help="the project to rebuild from (default: the one the "
                   "manifest names)")
    v.add_argument("--full", action="store_true",
                   help="hash every ping again instead of trusting the per-import digests "
                        "stored at import (slow on millions of pings; also catches changes "
                        "made to the project file without SQLite)")
    return p


def _handler(name: str):
    module, func = HANDLERS[name].split(":")
    return getattr(importlib.import_module(module), func)


# commands that need an existing project file: a mistyped path is told before the command's
# imports (pandas, scikit-learn or Qt: 1-4 s to a one-line error before)
READS_PROJECT = ("open", "infer", "report", "runs", "flags", "review", "map", "export")


def _preflight(name: str, args) -> None:
    """The user's mistakes that need no import to see: a project or export folder that is not
    there, a window asked for where there is no screen (Qt would abort the process)."""
    from auditor.failures import shown
    from auditor.store.connection import no_such_project  # sqlite3 and the schema: light
    project = getattr(args, "project", None)
    if name in READS_PROJECT and project and not os.path.lexists(project):
        raise no_such_project(project)
    if name == "verify" and not os.path.isfile(os.path.join(args.out_dir, "manifest.json")):
        raise UserError(f"{shown(args.out_dir)}: no auditor manifest.json here — give the folder "
                        "an 'auditor export' wrote")
    wants_window = ((name in ("gui", "open") and not getattr(args, "screenshot", None))
                    or (name == "demo" and not args.no_gui))
    if wants_window and no_screen():
        raise UserError("no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are "
                        "unset): run it in a desktop session, or write a picture of the window "
                        "with 'auditor open PROJECT --screenshot FILE.png'")


def no_screen() -> bool:
    """Linux without an X or Wayland display and no Qt platform chosen (offscreen, vnc…):
    a window cannot open, a screenshot renders offscreen (gui.app)."""
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    from auditor.terminal import guarded_output  # no control characters from data reach the terminal
    with guarded_output():
        return _main(argv)


def _main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.smoke_test:
        name = "smoke-test"
    elif args.command is None:
        name = "gui"
        args.project = None
        args.screenshot = None
        args.vehicle = None
        args.tab = None
    else:
        name = args.command
    try:
        _preflight(name, args)
        return int(_handler(name)(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Cancelled):
        print("error: interrupted; nothing of the unfinished step was kept", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug, not the user's mistake: keep the traceback in the log
        from auditor.failures import explain  # …unless the machine failed: disk full, read-only…
        failure = explain(exc)
        if failure is not None:
            print(f"error: {failure}", file=sys.stderr)
            return 1
        from auditor.logs import setup_logging
        path = setup_logging()
        logging.getLogger("auditor").exception("unexpected error in 'auditor %s'", name)
        print(f"error: unexpected internal error in '{name}'; details in {path}", file=sys.stderr)
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
