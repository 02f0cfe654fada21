"""Times written in a file's own regional or spreadsheet form ('02.03.2026 15:40:41',
'03/02/2026 3:40:41 PM', '2 Mar 2026 15:40', '20260302154041') are read, each file in one
form, day and month ordered by the dates themselves; ambiguous files ask for --time-format.

The oracle is the standard library: stamps are written with datetime.strftime from known
epoch seconds in a known zone, and the import must give those seconds back."""
import sqlite3
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.errors import UserError
from auditor.ingest import time_formats
from auditor.ingest.api import ingest_paths

BERLIN = ZoneInfo("Europe/Berlin")


def stamps(first_day: int, days: int, per_day: int = 6, month: int = 3) -> list[int]:
    """Epoch seconds: ``per_day`` pings an hour apart from 08:00 Berlin time on each day."""
    out = []
    for d in range(days):
        start = datetime(2026, month, first_day + d, 8, 0, 7, tzinfo=BERLIN)
        out += [int(start.timestamp()) + h * 3600 for h in range(per_day)]
    return out


def write(path, secs, fmt, zone=BERLIN, vehicle="v1"):
    lines = ["vehicle_id,timestamp,lat,lon"]
    for i, s in enumerate(secs):
        text = datetime.fromtimestamp(s, zone).strftime(fmt)
        lines.append(f"{vehicle},{text},{52.5 + (i % 7) * 0.01:.5f},13.4")
    path.write_text("\n".join(lines) + "\n")
    return path


def stored(project) -> list[int]:
    conn = sqlite3.connect(project)
    try:
        return [r[0] for r in conn.execute("SELECT ts FROM pings ORDER BY ts")]
    finally:
        conn.close()


@pytest.mark.parametrize("fmt, found", [
    ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"),          # German, Excel's CSV
    ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p"),    # US, 12-hour clock
    ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),          # British, French
    ("%d %b %Y %H:%M:%S", "%d %b %Y %H:%M:%S"),          # month by name
    ("%Y%m%d%H%M%S", "%Y%m%d%H%M%S"),                    # compact digits
    ("%d.%m.%Y %H:%M:%S %z", "%d.%m.%Y %H:%M:%S %z"),    # with its offset: no --tz needed
])
def test_a_regional_form_is_read_as_the_clock_wrote_it(tmp_path, fmt, found):
    secs = stamps(first_day=9, days=8)  # the 9th to the 16th: a day above 12 tells the order
    f = write(tmp_path / "p.csv", secs, fmt)
    tz = None if "%z" in fmt else "Europe/Berlin"
    [s] = ingest_paths(tmp_path / "p.db", [f], tz=tz)
    assert s["accepted"] == len(secs) and s["reasons"] == {}
    assert s["time_format"] == {"format": found, "guessed": True}
    assert stored(tmp_path / "p.db") == secs


def test_day_first_and_month_first_are_told_apart_by_the_dates(tmp_path):
    """'05/03' is the 5th of March in one file and May the 3rd in another: a day above 12
    somewhere in the file decides, even far beyond its first rows."""
    secs = stamps(first_day=3, days=1, per_day=12) + stamps(first_day=20, days=1)
    day_first = write(tmp_path / "uk.csv", secs, "%d/%m/%Y %H:%M")
    month_first = write(tmp_path / "us.csv", secs, "%m/%d/%Y %H:%M")
    # chunks of 5 rows: the first rows (the 3rd only) cannot tell, a later chunk does
    [uk] = ingest_paths(tmp_path / "uk.db", [day_first], tz="Europe/Berlin", chunk_rows=5)
    [us] = ingest_paths(tmp_path / "us.db", [month_first], tz="Europe/Berlin", chunk_rows=5)
    assert uk["time_format"]["format"] == "%d/%m/%Y %H:%M"
    assert us["time_format"]["format"] == "%m/%d/%Y %H:%M"
    # the terminal says where the form and where the order came from
    from auditor.ingest.command import notes_for
    assert ("times read as '%d/%m/%Y %H:%M' (day first), the form of its first rows, in the "
            "order its dates tell") in notes_for(uk)
    minutes = [s - s % 60 for s in secs]
    assert stored(tmp_path / "uk.db") == minutes == stored(tmp_path / "us.db")


def test_reading_on_for_the_order_shows_progress_and_can_be_cancelled(tmp_path):
    """When the first rows cannot tell day from month, the check reads on through the file
    before anything is imported: on a long file that is a wait, so it says how far it got,
    and Cancel there leaves nothing behind."""
    from auditor.errors import Cancelled
    secs = stamps(first_day=3, days=1, per_day=12) + stamps(first_day=20, days=1)
    f = write(tmp_path / "uk.csv", secs, "%d/%m/%Y %H:%M")
    seen = []
    ingest_paths(tmp_path / "uk.db", [f], tz="Europe/Berlin", chunk_rows=5,
                 progress=lambda done, total, message: seen.append((done / total, message)))
    read_on = [(fraction, m) for fraction, m in seen if "checking day/month" in m]
    # chunks of 5 rows from the top: rows 13-18 are the 20th, in the third chunk
    assert [m for _, m in read_on] == [
        f"{f}: checking day/month ({n} rows)" for n in (5, 10, 15)]
    # a bar that moves on through the file, and the import's own steps after it
    fractions = [fraction for fraction, _ in read_on]
    assert fractions == sorted(fractions) and all(0 <= x < 1 for x in fractions)
    assert seen.index(read_on[-1]) < len(seen) - 1

    def cancel(done, total, message):
        if "checking day/month" in message:
            raise Cancelled()
    with pytest.raises(Cancelled):
        ingest_paths(tmp_path / "new.db", [f], tz="Europe/Berlin", chunk_rows=5,
                     progress=cancel)
    assert not (tmp_path / "new.db").exists()


def test_with_every_day_below_13_the_reading_that_keeps_the_days_together_wins(tmp_path):
    """The 2nd to the 6th of March, day first: read month first they would be five months
    with a day each. A tracker's consecutive days are days, not months apart."""
    secs = stamps(first_day=2, days=5)
    f = write(tmp_path / "de.csv", secs, "%d.%m.%Y %H:%M:%S")
    [s] = ingest_paths(tmp_path / "de.db", [f], tz="Europe/Berlin")
    assert s["time_format"]["format"] == "%d.%m.%Y %H:%M:%S"
    assert stored(tmp_path / "de.db") == secs
    g = write(tmp_path / "us.csv", secs, "%m/%d/%Y %I:%M %p")
    [s] = ingest_paths(tmp_path / "us.db", [g], tz="Europe/Berlin")
    assert s["time_format"]["format"] == "%m/%d/%Y %I:%M %p"
    assert stored(tmp_path / "us.db") == [t - t % 60 for t in secs]


def test_one_day_that_reads_both_ways_asks_for_the_format(tmp_path):
    secs = stamps(first_day=5, days=1, month=3)
    f = write(tmp_path / "p.csv", secs, "%d/%m/%Y %H:%M:%S")
    with pytest.raises(UserError) as err:
        ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    text = str(err.value)
    assert "p.csv" in text and "'05/03/2026 08:00:07'" in text
    assert "--time-format '%d/%m/%Y %H:%M:%S' (day first)" in text
    assert "--time-format '%m/%d/%Y %H:%M:%S' (month first)" in text
    assert not (tmp_path / "p.db").exists()  # nothing made of a refused command
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin",
                       time_format="%d/%m/%Y %H:%M:%S")
    assert s["time_format"] == {"format": "%d/%m/%Y %H:%M:%S", "guessed": False}
    assert stored(tmp_path / "p.db") == secs
    # the same file with the same reading is the same import
    [again] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin",
                           time_format="%d/%m/%Y %H:%M:%S")
    assert again["skipped"]


def test_a_local_form_without_a_zone_asks_for_tz(tmp_path):
    f = write(tmp_path / "p.csv", stamps(first_day=9, days=8), "%d.%m.%Y %H:%M:%S")
    with pytest.raises(UserError, match=r"naive timestamps .*'09\.03\.2026 08:00:07'.*--tz"):
        ingest_paths(tmp_path / "p.db", [f])


def test_compact_digits_in_an_integer_parquet_column(tmp_path):
    secs = stamps(first_day=9, days=3)
    digits = [int(datetime.fromtimestamp(s, timezone.utc).strftime("%Y%m%d%H%M%S")) for s in secs]
    pq.write_table(pa.table({"vehicle_id": ["v1"] * len(secs), "timestamp": digits,
                             "lat": [52.5 + i * 0.001 for i in range(len(secs))],
                             "lon": [13.4] * len(secs)}), tmp_path / "p.parquet")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.parquet"], tz="UTC")
    assert s["time_format"]["format"] == "%Y%m%d%H%M%S"
    assert stored(tmp_path / "p.db") == secs


def test_iso_files_and_a_few_odd_rows_are_read_as_before(tmp_path):
    """The form is a file's, found only when most of its first rows refuse: ISO-8601 files
    keep their reading, and a few rows in another form stay refused, shown to the analyst."""
    secs = stamps(first_day=9, days=8)
    f = write(tmp_path / "p.csv", secs, "%Y-%m-%dT%H:%M:%S%z")
    lines = f.read_text().splitlines()
    lines[3] = "v1,09.03.2026 10:00:07,52.5,13.4"
    f.write_text("\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert "time_format" not in s and s["reasons"] == {"bad_timestamp": 1}


def test_a_given_format_that_does_not_fit_says_so(tmp_path, capsys):
    from auditor.cli import main
    f = write(tmp_path / "p.csv", stamps(first_day=9, days=8), "%Y-%m-%dT%H:%M:%S%z")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--time-format", "%d.%m.%Y %H:%M"]) == 0
    out = capsys.readouterr().out
    assert "bad_timestamp: 48 — most of the file" in out
    assert "these do not read as --time-format '%d.%m.%Y %H:%M'" in out
    assert main(["ingest", str(tmp_path / "q.db"), str(f), "--time-format", "%d.%m.%Y"]) == 1
    assert "has no hour" in capsys.readouterr().err


def test_the_terminal_says_how_it_read_the_times(tmp_path, capsys):
    from auditor.cli import main
    f = write(tmp_path / "p.csv", stamps(first_day=9, days=8), "%d.%m.%Y %H:%M:%S")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--tz", "Europe/Berlin"]) == 0
    assert "times read as '%d.%m.%Y %H:%M:%S' (day first)" in capsys.readouterr().out


@pytest.mark.parametrize("values, fmt", [
    (["3/2/2026 3:40PM", "3/2/2026 11:05AM"], "%d/%m/%Y %I:%M%p"),
    (["Mar 2, 2026 3:40 PM"], "%b %d, %Y %I:%M %p"),
    (["02.03.2026 15:40:41,123"], "%d.%m.%Y %H:%M:%S.%f"),
    (["2 March 2026 15:40"], "%d %B %Y %H:%M"),
    (["02.03.2026"], None),          # a date alone is no ping's time
    (["soon", "later"], None),
])
def test_guess(values, fmt):
    assert time_formats.guess(values) == fmt


def test_orders_swap_day_and_month_only_when_both_are_numbers():
    assert time_formats.orders("%m/%d/%Y %H:%M") == ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]
    assert time_formats.orders("%Y/%m/%d %H:%M") == ["%Y/%m/%d %H:%M"]
    assert time_formats.orders("%d %b %Y %H:%M") == ["%d %b %Y %H:%M"]


# ---- the date and the time of day in two columns


def write_split(path, secs, date_fmt, time_fmt, header="vehicle_id,date,time,lat,lon", sep=","):
    lines = [header]
    for i, s in enumerate(secs):
        t = datetime.fromtimestamp(s, BERLIN)
        lines.append(sep.join(["v1", t.strftime(date_fmt), t.strftime(time_fmt),
                               f"{52.5 + (i % 7) * 0.01:.5f}", "13.4"]))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_date_and_time_columns_are_one_stamp(tmp_path, capsys):
    from auditor.cli import main
    secs = stamps(first_day=9, days=8)
    f = write_split(tmp_path / "p.csv", secs, "%Y-%m-%d", "%H:%M:%S")
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    assert s["accepted"] == len(secs) and s["time_from_columns"] == ["date", "time"]
    assert stored(tmp_path / "p.db") == secs
    # a German export: 'Datum;Uhrzeit', dates day first, the terminal says both
    g = write_split(tmp_path / "de.csv", secs, "%d.%m.%Y", "%H:%M:%S",
                    header="Wagen;Datum;Uhrzeit;lat;lon", sep=";")
    # 'Wagen' is in no alias table: the error offers it, told by its values
    assert main(["ingest", str(tmp_path / "de.db"), str(g), "--tz", "Europe/Berlin"]) == 1
    assert "look like --map vehicle_id=Wagen" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "de.db"), str(g), "--tz", "Europe/Berlin",
                 "--map", "vehicle_id=Wagen"]) == 0
    out = capsys.readouterr().out
    assert "times joined from its date and time columns (Datum + Uhrzeit)" in out
    assert "times read as '%d.%m.%Y %H:%M:%S' (day first)" in out
    assert stored(tmp_path / "de.db") == secs


def test_typed_date_and_time_columns_of_a_parquet_file(tmp_path):
    secs = stamps(first_day=9, days=3)
    utc = [datetime.fromtimestamp(s, timezone.utc) for s in secs]
    pq.write_table(pa.table({
        "vehicle_id": ["v1"] * len(secs), "gps_date": pa.array([t.date() for t in utc]),
        "time_of_day": pa.array([t.time() for t in utc], pa.time32("s")),
        "lat": [52.5 + i * 0.001 for i in range(len(secs))], "lon": [13.4] * len(secs)}),
        tmp_path / "p.parquet")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.parquet"], tz="UTC")
    assert s["time_from_columns"] == ["gps_date", "time_of_day"]
    assert stored(tmp_path / "p.db") == secs


def test_a_refused_row_is_shown_as_the_file_wrote_it(tmp_path):
    secs = stamps(first_day=9, days=8)
    f = write_split(tmp_path / "p.csv", secs, "%Y-%m-%d", "%H:%M:%S")
    lines = f.read_text().splitlines()
    lines[5] = "v1,2026-03-09,,52.5,13.4"   # no time of day
    f.write_text("\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    assert s["reasons"] == {"bad_timestamp": 1}
    conn = sqlite3.connect(tmp_path / "p.db")
    assert conn.execute("SELECT line, raw FROM quarantine").fetchall() == [
        (6, "v1,2026-03-09,,52.5,13.4")]
    conn.close()


def test_a_date_column_beside_a_full_timestamp_is_left_alone(tmp_path):
    secs = stamps(first_day=9, days=2)
    lines = ["vehicle_id,timestamp,date,lat,lon"] + [
        f"v1,{datetime.fromtimestamp(s, timezone.utc):%Y-%m-%dT%H:%M:%SZ},2026-01-01,"
        f"{52.5 + i * 0.001:.4f},13.4" for i, s in enumerate(secs)]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv"])
    assert "time_from_columns" not in s and stored(tmp_path / "p.db") == secs


def test_a_track_with_no_time_column_found_is_not_taken_for_vehicle_metadata(tmp_path):
    """'Zeitpunkt' is in no alias table: the file had vehicle ids and coordinates only, and
    was imported as vehicle metadata, each vehicle's last row kept."""
    secs = stamps(first_day=9, days=8)
    f = write(tmp_path / "p.csv", secs, "%d.%m.%Y %H:%M:%S")
    f.write_text(f.read_text().replace("timestamp", "Zeitpunkt", 1))
    with pytest.raises(UserError) as err:
        ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    text = str(err.value)
    assert "looks like pings (48 rows for 1 vehicle(s)" in text
    assert "--map timestamp=Zeitpunkt" in text
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin",
                       column_map={"timestamp": "Zeitpunkt"})
    assert stored(tmp_path / "p.db") == secs
    # a vehicles file with a depot's coordinates names each vehicle once: still metadata
    (tmp_path / "v.csv").write_text("vehicle_id,lat,lon,depot\nv1,52.5,13.4,north\n"
                                    "v2,52.6,13.5,south\n")
    [v] = ingest_paths(tmp_path / "p.db", [tmp_path / "v.csv"])
    assert v["kind"] == "vehicles" and v["accepted"] == 2
    # and --kind vehicles is obeyed
    [m] = ingest_paths(tmp_path / "m.db", [f], kind="vehicles")
    assert m["kind"] == "vehicles"


# ---- a zone named in the stamp


@pytest.mark.parametrize("suffix", ["[Europe/Berlin]", " Europe/Berlin"])
def test_a_zone_named_in_each_stamp_needs_no_tz(tmp_path, suffix):
    """'2026-03-02T15:40:41+01:00[Europe/Berlin]' (RFC 9557: Java's ZonedDateTime) and
    '2026-03-02 15:40:41 Europe/Berlin' were refused on every row."""
    secs = stamps(first_day=9, days=8) + stamps(first_day=29, days=1)  # across the DST change
    with_offset = write(tmp_path / "java.csv", secs, "%Y-%m-%dT%H:%M:%S%z" + suffix)
    named = write(tmp_path / "named.csv", secs, "%Y-%m-%d %H:%M:%S" + suffix)
    for f in (with_offset, named):
        db = tmp_path / f"{f.stem}.db"
        [s] = ingest_paths(db, [f])
        assert s["accepted"] == len(secs), s
        assert stored(db) == secs
    conn = sqlite3.connect(tmp_path / "named.db")
    offsets = {r[0] for r in conn.execute("SELECT utc_offset_min FROM pings")}
    conn.close()
    assert offsets == {60, 120}  # CET, then CEST after 29 March


def test_zones_named_row_by_row_and_an_unknown_name_is_refused(tmp_path):
    chicago = ZoneInfo("America/Chicago")
    rows_ = ["vehicle_id,timestamp,lat,lon",
             "ber,2026-03-09 08:00:00 Europe/Berlin,52.5,13.4",
             "chi,2026-03-09 08:00:00 America/Chicago,41.8,-87.6",
             "chi,2026-03-09 09:00:00 Mars/Olympus_Mons,41.8,-87.6"]
    (tmp_path / "p.csv").write_text("\n".join(rows_) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv"])
    assert s["reasons"] == {"bad_timestamp": 1}
    conn = sqlite3.connect(tmp_path / "p.db")
    got = dict(conn.execute("SELECT vehicle_id, ts FROM pings"))
    conn.close()
    assert got == {"ber": int(datetime(2026, 3, 9, 8, tzinfo=BERLIN).timestamp()),
                   "chi": int(datetime(2026, 3, 9, 8, tzinfo=chicago).timestamp())}


def test_a_zone_abbreviation_is_wall_time_that_tz_places(tmp_path):
    """'CET'/'CEST' name no one offset ('CST' is Chicago's, Shanghai's and Havana's): without
    --tz the import asks for it and says why; with it the stamps are read."""
    secs = stamps(first_day=9, days=8) + stamps(first_day=29, days=1)
    f = write(tmp_path / "p.csv", secs, "%Y-%m-%d %H:%M:%S %Z")
    with pytest.raises(UserError, match=r"'2026-03-09 08:00:07 CET' names its zone by an "
                                        r"abbreviation, CET, which is no one UTC offset.*--tz"):
        ingest_paths(tmp_path / "p.db", [f])
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    assert s["accepted"] == len(secs) and stored(tmp_path / "p.db") == secs


@pytest.mark.parametrize("values, style", [
    (["2026-03-02T15:40:41+01:00[Europe/Berlin]"], "offset"),
    (["2026-03-02 15:40:41 Europe/Berlin"], "zone"),
    (["2026-03-02 15:40:41 CET"], "naive"),
    (["2026-03-02 15:40:41"], "naive"),
    (["1772462441"], "epoch"),
])
def test_the_wizard_tells_which_stamps_need_a_zone(values, style):
    from auditor.ingest.preview import timestamp_style
    assert timestamp_style(values)[0] == style


# ---- a spreadsheet's serial days


def serial_days(secs, zone=BERLIN):
    """Excel's number for each wall time: days since 1899-12-30, the time of day a fraction."""
    base = datetime(1899, 12, 30)
    return [(datetime.fromtimestamp(s, zone).replace(tzinfo=None) - base).total_seconds() / 86400
            for s in secs]


def test_spreadsheet_serial_days_are_read_as_wall_time(tmp_path, capsys):
    """A date column a spreadsheet saved as numbers ('46083.6532'): refused as 1970 stamps,
    with a message that knew what they were. Now read (to the second), in --tz."""
    from auditor.cli import main
    secs = stamps(first_day=9, days=8)
    lines = ["vehicle_id,timestamp,lat,lon"] + [
        f"v1,{d!r},{52.5 + i * 0.001:.4f},13.4" for i, d in enumerate(serial_days(secs))]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match="naive timestamps"):
        ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv"])
    assert main(["ingest", str(tmp_path / "p.db"), str(tmp_path / "p.csv"),
                 "--tz", "Europe/Berlin"]) == 0
    assert "times read as a spreadsheet's serial days" in capsys.readouterr().out
    assert stored(tmp_path / "p.db") == secs
    # a float column of a Parquet file alike
    pq.write_table(pa.table({"vehicle_id": ["v1"] * len(secs), "timestamp": serial_days(secs),
                             "lat": [52.5 + i * 0.001 for i in range(len(secs))],
                             "lon": [13.4] * len(secs)}), tmp_path / "p.parquet")
    [s] = ingest_paths(tmp_path / "q.db", [tmp_path / "p.parquet"], tz="Europe/Berlin")
    assert s["time_format"]["format"] == time_formats.SERIAL_DAYS
    assert stored(tmp_path / "q.db") == secs


def test_serial_days_are_only_guessed_for_fractions_in_range():
    assert time_formats.guess(["46083.65325", "46083.7"]) == time_formats.SERIAL_DAYS
    assert time_formats.guess(["46083", "46084"]) is None      # whole days: no time of day
    assert time_formats.guess(["1772462441.5"]) is None        # epoch seconds
    assert time_formats.check("spreadsheet-days") == time_formats.SERIAL_DAYS


@pytest.mark.parametrize("fmt", ["%m/%d/%y %H:%M",          # Excel's US default, m/d/yy h:mm
                                 "%d.%m.%y %H:%M:%S",
                                 "%m/%d/%y %I:%M %p"])
def test_two_digit_years(tmp_path, fmt):
    secs = stamps(first_day=9, days=8)
    f = write(tmp_path / "p.csv", secs, fmt)
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    assert s["time_format"]["format"] == fmt
    exact = "%S" in fmt
    assert stored(tmp_path / "p.db") == [t if exact else t - t % 60 for t in secs]


FRENCH = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc."]
GERMAN = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
          "Nov.", "Dez."]


@pytest.mark.parametrize("names, pattern", [(FRENCH, "{d} {m} {Y} {H}:{M}:{S}"),
                                            (GERMAN, "{d}. {m} {Y} {H}:{M}:{S}")])
def test_month_names_of_other_languages(tmp_path, names, pattern):
    """A French or German export writes '2 févr. 2026 08:00:07' or '2. März 2026 …': %b
    reads English only, so every row was refused. Each month of a year, one day each."""
    secs = [s for m in range(1, 13) for s in stamps(first_day=14, days=1, per_day=2, month=m)]
    lines = ["vehicle_id,timestamp,lat,lon"]
    for i, s in enumerate(secs):
        t = datetime.fromtimestamp(s, BERLIN)
        text = pattern.format(d=t.day, m=names[t.month - 1], Y=t.year, H=f"{t.hour:02d}",
                              M=f"{t.minute:02d}", S=f"{t.second:02d}")
        lines.append(f"v1,{text},{52.5 + (i % 7) * 0.01:.5f},13.4")
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv"], tz="Europe/Berlin",
                       max_time="2026-12-31")
    assert s["accepted"] == len(secs), s
    assert stored(tmp_path / "p.db") == secs


def test_ctime_and_java_date_strings(tmp_path):
    """'Mon Mar 09 08:00:07 CET 2026' (ctime, Java's Date.toString()): the zone between time
    and year kept pandas from guessing anything. An abbreviation is wall time --tz places;
    UTC is an offset."""
    secs = stamps(first_day=9, days=8) + stamps(first_day=29, days=1)  # CET, then CEST
    f = write(tmp_path / "java.csv", secs, "%a %b %d %H:%M:%S %Z %Y")
    with pytest.raises(UserError, match="abbreviation, CET"):
        ingest_paths(tmp_path / "p.db", [f])
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    assert s["accepted"] == len(secs) and stored(tmp_path / "p.db") == secs
    g = write(tmp_path / "utc.csv", secs, "%a %b %d %H:%M:%S UTC %Y", zone=timezone.utc)
    [s] = ingest_paths(tmp_path / "q.db", [g])
    assert s["accepted"] == len(secs) and stored(tmp_path / "q.db") == secs
    conn = sqlite3.connect(tmp_path / "q.db")
    assert {r[0] for r in conn.execute("SELECT utc_offset_min FROM pings")} == {0}
    conn.close()


def test_javascript_date_strings_keep_their_offset_across_a_clock_change(tmp_path):
    """JavaScript's Date.toString(): 'Mon Mar 09 2026 08:00:07 GMT+0100 (Central European
    Standard Time)' — the offset after GMT is the offset (no --tz needed), the name dropped."""
    secs = stamps(first_day=9, days=8) + stamps(first_day=29, days=1)  # CET, then CEST
    lines = ["vehicle_id,timestamp,lat,lon"]
    for i, sec in enumerate(secs):
        t = datetime.fromtimestamp(sec, BERLIN)
        name = "Central European Summer Time" if t.utcoffset().seconds == 7200 else \
            "Central European Standard Time"
        lines.append(f'v1,"{t:%a %b %d %Y %H:%M:%S} GMT{t:%z} ({name})",52.5{i % 7},13.4')
    (tmp_path / "js.csv").write_text("\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "js.csv"])
    assert s["accepted"] == len(secs) and stored(tmp_path / "p.db") == secs


def test_a_given_format_with_an_offset_and_empty_cells(tmp_path):
    """(found by tests/test_ingest_property.py: empty cells beside a form with %z crashed)"""
    from auditor.ingest import timestamps
    got = timestamps.parse(pa.array(["0", None, "2000-01-01T00:00:00Z"]), None,
                           "%Y-%m-%dT%H:%M:%S%z")
    assert got.ok.tolist() == [False, False, True] and got.offset_min[2] == 0
