"""Source files -> chunks of rows (arrow tables) with their 1-based source line numbers.

CSV (delimiter sniffed, encodings in encoding.py), Parquet (by row-group batches), GPX
(gpx.py, streamed), JSON Lines (jsonl.py), JSON documents holding a table (json_doc.py, GeoJSON
too), NMEA 0183 logs (nmea.py), KML/KMZ (kml.py) and Excel workbooks (workbook.py). Every file-level failure
is a UserError naming the file; readers never touch the project. Lines that cannot become a
row (malformed, not UTF-8) travel with the chunk they were found in and are then forgotten."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.ingest import calendars, json_doc, jsonl, kml, nmea, workbook
from auditor.ingest.encoding import (
    CODECS,
    DAMAGED_GZIP,
    LATIN1,
    UTF8_WITH_BAD_LINES,
    LineFilter,
    damaged,
    is_gzip,
    legacy_encoding,
    line_blocks,
    open_bytes,
    plain_size,
    survey,
    utf16_of,
)

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
# the CSV reader's block (bytes parsed at a time): about one chunk's worth, within these bounds
MIN_BLOCK_BYTES, MAX_BLOCK_BYTES = 1 << 20, 64 << 20


# what a folder given to the import holds that is read (by suffix, before a .gz); the
# generic .txt and .log only when named, as a folder may hold notes and logs
FOLDER_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".gpx", ".kml", ".kmz", ".jsonl",
                   ".ndjson", ".json", ".geojson", ".nmea", ".xlsx", ".xlsm")
DATA_SUFFIXES = FOLDER_SUFFIXES + (".txt", ".log")

# the column ``--vehicle ID`` adds to every chunk (auditor.ingest.plan.stamped): no file's own,
# so never shown as part of a refused row
STAMPED_VEHICLE = "--vehicle"
# the column a file's date and time columns are joined into (auditor.ingest.date_time)
JOINED_TIME = "--date+time"
ADDED_COLUMNS = (STAMPED_VEHICLE, JOINED_TIME)


@dataclass
class Chunk:
    table: pa.Table                      # the source columns, as read
    lines: np.ndarray                    # int64, 1-based line/row of each row in the source
    rejected: list = field(default_factory=list)    # [(line, text, reason)]: lines that are no
                                                    # row (malformed_row, bad_encoding)
    join: str = ","                      # how to show a row as text again

    def raw(self, index: np.ndarray) -> list[str]:
        """The quarantined rows as text (fields re-joined with the file's delimiter)."""
        if len(index) == 0:
            return []
        take = pa.array(np.asarray(index, dtype=np.int64))
        cols = [display_text(self.table.column(i).take(take))
                for i, name in enumerate(self.table.column_names)
                if name not in ADDED_COLUMNS]
        if len(cols) == 1:
            return pc.fill_null(cols[0], "").to_pylist()
        joined = pc.binary_join_element_wise(*cols, self.join, null_handling="replace",
                                             null_replacement="")
        return joined.to_pylist()


@dataclass
class Source:
    path: Path
    file_format: str                     # csv | parquet | gpx
    columns: list[str]
    size_bytes: int
    sha256: str
    _chunks: Callable[[int], Iterator[Chunk]]
    encoding: Optional[str] = None
    delimiter: Optional[str] = None
    approx_rows: int = 0                 # for progress only
    bad_encoding: bool = False           # UTF-8 with some lines that are not: quarantined
    # what the reader decided about the file that the summary should say (GPX: its tracks
    # read as one vehicle), filled in as the file is read
    notes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def chunks(self, rows: int) -> Iterator[Chunk]:
        # eastern digits and Jalali dates read as every reader's text (calendars.py)
        return calendars.normalised(self._chunks(rows))


def open_source(path) -> Source:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file — check the path")
    if path.is_dir():
        raise UserError(f"{path}: is a folder — give a table (CSV, Excel, Parquet, JSON) or a "
                        "track (GPX, KML, NMEA)")
    try:
        with open_bytes(path) as fh:
            head = fh.read(SAMPLE_BYTES)
    except DAMAGED_GZIP:
        raise damaged(path) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}) — check permissions") from None
    if not head:
        raise UserError(f"{path}: empty file (0 bytes) — export it again with a header and rows")
    suffix = text_suffix(path)
    stripped = head.lstrip()
    if head.startswith(b"PAR1") or suffix in (".parquet", ".pq"):
        if is_gzip(path):  # Parquet compresses its own columns; pyarrow reads only the file
            raise UserError(f"{path}: a gzip-compressed Parquet file — decompress it first "
                            "(gunzip), Parquet is compressed inside already")
        return _open_parquet(path)
    root = _xml_root(head) if stripped.startswith(b"<") else None
    if suffix == ".kml" or (root == b"kml" and suffix != ".gpx"):
        return _open_kml(path)
    if suffix == ".gpx" or stripped.startswith((b"<?xml", b"<gpx")):
        return _open_gpx(path)
    return _open_csv(path, head)


_ROOT = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")


def _xml_root(head: bytes) -> Optional[bytes]:
    """The name of an XML document's first element (no prefix), from its first bytes."""
    m = _ROOT.search(head)
    return m.group(1).lower() if m else None


def text_suffix(path: Path) -> str:
    """'.csv' for data.csv and data.csv.gz alike."""
    path = Path(path)
    if path.suffix.lower() == ".gz":
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


def display_text(arr) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_large_string(arr.type):  # pandas' own Parquet: joined with string columns
        return arr.cast(pa.string())
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())


# ----------------------------------------------------------------------------------- CSV
def sniff_delimiter(lines: list[str]) -> str:
    """The candidate splitting most lines into the same number of fields, the most fields on
    a tie. The lines' most common count, not the first line's: a report's title lines above
    the header ('Filo Takip - Geçmiş Konum Raporu') hold no delimiter at all."""
    from collections import Counter

    rows = [ln for ln in lines if ln.strip()]
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = [ln.count(delim) for ln in rows]
        positive = Counter(c for c in counts if c > 0)
        if not positive:
            continue
        fields = max(positive, key=lambda c: (positive[c], c))
        score = (positive[fields] / len(counts), fields)
        if score > best_score:
            best, best_score = delim, score
    return best


def _zip_names(path: Path) -> list[str]:
    import zipfile
    try:
        with zipfile.ZipFile(path) as archive:
            return [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return []


def _zip_words(path: Path) -> str:
    """What a zip file that is no Excel workbook is and what to do: an OpenDocument or
    damaged workbook, an archive of files the import reads (named), or neither."""
    names = _zip_names(path)
    if any(n.startswith("xl/") for n in names) or "content.xml" in names:
        return ("a spreadsheet workbook that is not Excel's .xlsx — save the sheet as CSV "
                "(UTF-8) or as .xlsx")
    data = [n for n in names if n.lower().endswith((".csv", ".csv.gz", ".parquet", ".pq",
                                                    ".gpx", ".tsv", ".txt"))
            and not Path(n).name.startswith(".")]
    if data:
        shown = ", ".join(data[:3]) + (f" and {len(data) - 3} more" if len(data) > 3 else "")
        return (f"a zip archive holding {shown} — unzip it and import those files (or the "
                "folder they are in)")
    return "a zip file or spreadsheet workbook, not a table — export the sheet as CSV"


def _open_csv(path: Path, head: bytes) -> Source:
    utf16 = utf16_of(head)
    if head.startswith(b"PK\x03\x04"):
        names = _zip_names(path)
        if workbook.is_workbook(names):
            return _open_workbook(path)
        if kml.kml_member(names):  # KMZ
            return _open_kml(path, kml.kml_member(names))
        raise UserError(f"{path}: {_zip_words(path)}")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Excel 97-2003
        raise UserError(f"{path}: an Excel 97-2003 workbook (.xls) — save it as .xlsx or the "
                        "sheet as CSV (UTF-8)")
    if b"\x00" in head and not utf16:
        raise UserError(f"{path}: not a table (binary data) — give a table (CSV, Excel, "
                        "Parquet, JSON) or a track (GPX, KML, NMEA)")
    if re.match(rb"\s*\+(?:RESP|BUFF|ACK|SACK):GT[A-Z]{3},", head):
        raise UserError(f"{path}: a Queclink @Track device log (+RESP:GTFRI,…): the devices' "
                        "own messages, whose fields differ by model and firmware, not an export "
                        "of positions — export the positions from the platform that received "
                        "them (CSV, Parquet, GPX, JSON Lines or NMEA)")
    if jsonl.looks_like_jsonl(head):
        return _open_lines(path, head, "jsonl", jsonl)
    if nmea.looks_like_nmea(head):
        return _open_lines(path, head, "nmea", nmea)
    if json_doc.looks_like_document(head):
        return _open_document(path)
    found = survey(path, check_text=not utf16)
    verdict = utf16 or (legacy_encoding(path) if found.encoding == LATIN1 else found.encoding)
    legacy = CODECS.get(verdict)
    # (the head may end inside a multi-byte character: a cut sample's last line is dropped)
    text = head.decode(legacy or "utf-8-sig", errors="replace")
    sample = text.splitlines()
    if len(head) == SAMPLE_BYTES and len(sample) > 1:
        sample = sample[:-1]  # the last line of a cut sample is partial
    if not sample or not sample[0].strip():
        raise UserError(f"{path}: the first line is empty — the file must start with a header row")
    delimiter = sniff_delimiter(sample[:200])
    title = _title_lines(sample[:TITLE_LINES + 1], delimiter)
    header = next(csv.reader(io.StringIO(sample[title]), delimiter=delimiter))
    columns = [h.replace("\ufeff", "").strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise UserError(f"{path}: line 1: column {dupes[0]!r} appears twice in the header — "
                        "rename one of them")
    text_size = plain_size(path)  # of the text, for the progress estimate (a .gz is smaller)
    per_row = max(1.0, len(head) / max(1, len(sample)))
    if len(sample) < 2 + title and text_size <= len(head):
        raise UserError(f"{path}: empty file (header only, no rows) — export it again with rows")

    def chunks(rows: int) -> Iterator[Chunk]:
        return _csv_chunks(path, columns, delimiter, verdict, rows, per_row, title)

    encoding = legacy or ("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8")
    return Source(path, "csv", columns, path.stat().st_size, found.sha256, chunks,
                  encoding=encoding, delimiter=delimiter, approx_rows=int(text_size / per_row),
                  bad_encoding=found.encoding == UTF8_WITH_BAD_LINES)


# a report's title lines above the header ('车辆历史轨迹明细（查询时段：…）,,,,' as a Chinese
# platform's export starts; 'Report: Trips 01.03-31.03;;;;'; a Polish one's 'Okres;14.10.2024 -
# 10.11.2024' key and value): at most this many
TITLE_LINES = 5


def _title_lines(lines: list[str], delimiter: str) -> int:
    """How many lines above the header are a report's title: lines of at most two non-empty
    fields (a title; a key and its value) before the first line of three or more (the header:
    a table of pings or labels has three columns at least, and a header of two could not head
    rows of more); 0 when there is none."""
    for k, line in enumerate(lines):
        filled = sum(bool(f.strip()) for f in next(csv.reader(io.StringIO(line),
                                                              delimiter=delimiter), []))
        if filled >= 3:
            return k
    return 0


class _Pending:
    """Lines set aside, in line order, until the chunk they belong to is handed out. Malformed
    lines are skipped by the reader, so line numbering needs to know how many of them were
    handed out already; lines that are not UTF-8 reach the reader blanked and hold their place
    as a blank row."""

    def __init__(self):
        self.malformed: list = []   # filled by the reader's invalid-row callback
        self.handed_out = 0         # malformed lines handed out so far

    def skipped(self) -> list:
        return [line for line, _, _ in self.malformed if line is not None and line >= 0]

    def take(self, limit: Optional[int], bad_encoding: list) -> list:
        """Pending lines before ``limit`` (all when None), in line order; then forgotten."""
        out = []
        for queue in (self.malformed, bad_encoding):
            k = len(queue) if limit is None else _count_before(queue, limit)
            out.extend(queue[:k])
            if queue is self.malformed:
                self.handed_out += k
            del queue[:k]
        out.sort(key=lambda item: (item[0] is None, item[0] or 0))
        return out


def _count_before(queue: list, limit: int) -> int:
    k = 0
    while k < len(queue) and (queue[k][0] is None or queue[k][0] < limit):
        k += 1
    return k


def _csv_chunks(path: Path, columns: list[str], delimiter: str, encoding: str, rows: int,
                per_row: float, title: int = 0) -> Iterator[Chunk]:
    import pyarrow.csv as pcsv

    pending = _Pending()

    def on_invalid(row) -> str:  # wrong number of fields: quarantined with the next chunk
        number = row.number if row.number is not None else -1
        pending.malformed.append((number, row.text, "malformed_row"))
        return "skip"

    # about one chunk per block, so few batches need splitting into chunks
    block = int(min(MAX_BLOCK_BYTES, max(MIN_BLOCK_BYTES, per_row * rows * 0.95)))
    read = pcsv.ReadOptions(use_threads=False, block_size=block, column_names=columns,
                            skip_rows=1 + title, encoding=CODECS.get(encoding, "utf8"))
    parse = pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                              invalid_row_handler=on_invalid)
    convert = pcsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                  strings_can_be_null=False, quoted_strings_can_be_null=False)
    done = 0  # data rows delivered so far (blank lines included: they hold a line number)
    try:
        with open_bytes(path) as raw:
            stream = LineFilter(raw) if encoding == UTF8_WITH_BAD_LINES else raw
            bad_encoding = stream.bad.pending if isinstance(stream, LineFilter) else []
            reader = pcsv.open_csv(stream, read_options=read, parse_options=parse,
                                   convert_options=convert)
            for batch in reader:
                for start in range(0, batch.num_rows, rows):
                    piece = pa.Table.from_batches([batch.slice(start, rows)])
                    lines = _line_numbers(done, piece.num_rows, pending.handed_out,
                                          pending.skipped()) + title
                    done += piece.num_rows
                    blank = _blank_rows(piece)
                    if blank.any():
                        keep = pa.array(~blank)
                        piece, lines = piece.filter(keep), lines[~blank]
                    limit = int(lines[-1]) if len(lines) else 0
                    yield Chunk(piece, lines, pending.take(limit, bad_encoding), delimiter)
            rest = pending.take(None, bad_encoding)
            if rest:
                yield Chunk(pa.table({c: pa.array([], pa.string()) for c in columns}),
                            np.zeros(0, np.int64), rest, delimiter)
    except DAMAGED_GZIP:
        raise damaged(path) from None
    except (pa.ArrowException, UnicodeError, ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: cannot read as a table ({reason}) — check the delimiter, "
                        "quoting and encoding") from None


def _line_numbers(done: int, n: int, before: int, skipped: list) -> np.ndarray:
    """Source line of each parsed row: header is line 1; lines that are no row keep their
    numbers. ``before`` such lines were handed out already (all of them lie before these
    rows); ``skipped`` are the sorted lines still pending (few: at most a block's worth)."""
    rows = np.arange(done, done + n, dtype=np.int64) + 2 + before
    if not skipped:
        return rows
    # the k-th delivered row sits on the k-th line that was not skipped
    gaps = np.asarray(skipped, np.int64) - np.arange(len(skipped))
    return rows + np.searchsorted(gaps, rows, side="right")


def _blank_rows(table: pa.Table) -> np.ndarray:
    """Rows whose every field is empty (blank lines); only rows blank in the first column are
    looked at in the others."""
    if not table.num_columns:
        return np.zeros(table.num_rows, bool)
    blank = pc.equal(table.column(0), "").to_numpy(zero_copy_only=False).astype(bool)
    if not blank.any() or table.num_columns == 1:
        return blank
    idx = np.flatnonzero(blank)
    take = pa.array(idx)
    for col in table.columns[1:]:
        empty = pc.equal(col.take(take), "").to_numpy(zero_copy_only=False).astype(bool)
        blank[idx[~empty]] = False
        idx, take = idx[empty], pa.array(idx[empty])
        if not len(idx):
            break
    return blank


# ---------------------------------------------------------------------------- JSON Lines
def _open_lines(path: Path, head: bytes, file_format: str, reader) -> Source:
    """A file of one record per line, read in blocks of whole lines that ``reader``
    (jsonl.py, nmea.py) parses."""
    sha = survey(path, check_text=False).sha256  # (a line that is not UTF-8 is refused)
    whole = head if len(head) < SAMPLE_BYTES else head[:head.rfind(b"\n") + 1]
    columns = reader.columns_of(whole)
    if not columns:
        raise UserError(f"{path}: no fields in its first lines — export it again with one "
                        "record per line")
    per_row = max(1.0, len(head) / max(1, head.count(b"\n")))
    text_size = plain_size(path)

    def chunks(rows: int) -> Iterator[Chunk]:
        block = int(min(MAX_BLOCK_BYTES, max(MIN_BLOCK_BYTES, per_row * rows)))
        try:
            for part, first_line in line_blocks(path, block):
                table, lines, rejected = reader.parse(part, first_line, columns)
                for start in range(0, max(table.num_rows, 1), rows):
                    yield Chunk(table.slice(start, rows), lines[start:start + rows],
                                rejected if start == 0 else [], ",")
        except DAMAGED_GZIP:
            raise damaged(path) from None
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc}) — check the file") from None

    return Source(path, file_format, columns, path.stat().st_size, sha, chunks,
                  encoding="utf-8", approx_rows=int(text_size / per_row))


# ------------------------------------------------------------------------- JSON document
def _open_document(path: Path) -> Source:
    """A JSON document holding a table (json_doc.py), read whole once: its columns are
    known only after reading it."""
    sha = survey(path, check_text=False).sha256
    if plain_size(path) > json_doc.MAX_BYTES:
        raise UserError(f"{path}: a JSON document over {json_doc.MAX_BYTES >> 30} GiB, read "
                        "whole — export it as JSON Lines (one object per line) or CSV")
    try:
        with open_bytes(path) as fh:
            text = fh.read()
    except DAMAGED_GZIP:
        raise damaged(path) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc}) — check the file") from None
    table, lines, rejected, notes = json_doc.read_table(path, text)
    if not table.num_columns:
        raise UserError(f"{path}: a JSON table with no rows — export it again with rows")

    def chunks(rows: int) -> Iterator[Chunk]:
        for start in range(0, max(table.num_rows, 1), rows):
            yield Chunk(table.slice(start, rows), lines[start:start + rows],
                        rejected if start == 0 else [], ",")

    source = Source(path, "json", list(table.column_names), path.stat().st_size, sha, chunks,
                    encoding="utf-8", approx_rows=table.num_rows)
    source.notes.update(notes)
    return source


# ----------------------------------------------------------------------------------- KML
def _open_kml(path: Path, member: Optional[str] = None) -> Source:
    """KML (or a KMZ's KML) tracks and timed points, streamed (kml.py)."""
    sha = survey(path, check_text=False).sha256
    try:
        fields = kml.field_names(path, member)
    except (OSError, KeyError) as exc:
        raise UserError(f"{path}: cannot read ({exc}) — check the file") from None

    def chunks(rows: int) -> Iterator[Chunk]:
        for table, lines in kml.read_pings(path, rows, fields, member):
            yield Chunk(table, lines, [], ",")

    return Source(path, "kml", kml.KML_COLUMNS + fields, path.stat().st_size, sha, chunks,
                  approx_rows=max(1, plain_size(path) // 100))


# ------------------------------------------------------------------------- Excel workbook
def _open_workbook(path: Path) -> Source:
    """The workbook's sheet with the most rows (workbook.py), streamed."""
    sha = survey(path, check_text=False).sha256
    sheet, n_rows, n_sheets = workbook.choose_sheet(path)
    columns, header_row = workbook.header(path, sheet)

    def chunks(rows: int) -> Iterator[Chunk]:
        for table, lines in workbook.chunks(path, sheet, columns, header_row, rows):
            yield Chunk(table, lines, [], ",")

    source = Source(path, "xlsx", columns, path.stat().st_size, sha, chunks,
                    approx_rows=max(1, n_rows - header_row))
    if n_sheets > 1:
        source.notes["workbook_sheet"] = {"sheet": sheet, "sheets": n_sheets}
    return source


# ------------------------------------------------------------------------------- Parquet
def _open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    sha = survey(path, check_text=False).sha256
    try:
        pfile = pq.ParquetFile(path)
        columns = list(pfile.schema_arrow.names)
        n = pfile.metadata.num_rows
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]}) — "
                        "export it again") from None
    if n == 0:
        raise UserError(f"{path}: empty file (no rows) — export it again with rows")

    def chunks(rows: int) -> Iterator[Chunk]:
        done = 0
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows, use_threads=False):
                table = pa.Table.from_batches([batch])
                lines = np.arange(done + 1, done + 1 + table.num_rows, dtype=np.int64)
                done += table.num_rows
                yield Chunk(table, lines, [], ",")
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise UserError(f"{path}: cannot read Parquet rows ({str(exc).splitlines()[0]}) — "
                            "export it again") from None

    return Source(path, "parquet", columns, path.stat().st_size, sha, chunks, approx_rows=n)


# ----------------------------------------------------------------------------------- GPX
def _open_gpx(path: Path) -> Source:
    from auditor.ingest import gpx

    sha = survey(path, check_text=False).sha256
    decided: list = []   # (each track a vehicle?, tracks): a first pass, once per file

    def chunks(rows: int) -> Iterator[Chunk]:
        if not decided:
            decided.append(gpx.vehicle_per_track(path))
            per_track, tracks = decided[0]
            if not per_track:
                source.notes["gpx_tracks_one_vehicle"] = {"tracks": tracks,
                                                          "vehicle": Path(path).stem}
        for table, lines in gpx.read_points(path, rows, decided[0][0]):
            yield Chunk(table, lines, [], ",")

    source = Source(path, "gpx", list(gpx.GPX_COLUMNS), path.stat().st_size, sha, chunks,
                    approx_rows=max(1, plain_size(path) // 120))  # ~120 B a <trkpt>: progress
    return source
