"""Source files -> chunks of rows (arrow tables) with their 1-based source line numbers.

CSV (delimiter sniffed, UTF-8 / UTF-8 with BOM / latin-1), Parquet (by row-group batches) and
GPX (tracks -> pings). Every file-level failure is a UserError naming the file; readers never
touch the project."""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from auditor.errors import UserError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_READ_BLOCK = 8 * 1024 * 1024


@dataclass
class Chunk:
    table: pa.Table                      # the source columns, as read
    lines: np.ndarray                    # int64, 1-based line/row of each row in the source
    malformed: list = field(default_factory=list)   # [(line, text)] rows that did not split
    join: str = ","                      # how to show a row as text again

    def raw(self, index: np.ndarray) -> list[str]:
        """The quarantined rows as text (fields re-joined with the file's delimiter)."""
        if len(index) == 0:
            return []
        take = pa.array(np.asarray(index, dtype=np.int64))
        cols = [display_text(self.table.column(i).take(take))
                for i in range(self.table.num_columns)]
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

    @property
    def name(self) -> str:
        return self.path.name

    def chunks(self, rows: int) -> Iterator[Chunk]:
        return self._chunks(rows)


def open_source(path) -> Source:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file — check the path")
    if path.is_dir():
        raise UserError(f"{path}: is a folder — give a CSV, Parquet or GPX file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}) — check permissions") from None
    if not head:
        raise UserError(f"{path}: empty file (0 bytes) — export it again with a header and rows")
    suffix = path.suffix.lower()
    stripped = head.lstrip()
    if head.startswith(b"PAR1") or suffix in (".parquet", ".pq"):
        return _open_parquet(path)
    if suffix == ".gpx" or stripped.startswith((b"<?xml", b"<gpx")):
        return _open_gpx(path)
    return _open_csv(path, head)


def _digest(path: Path, check_utf8: bool = False) -> tuple[str, bool]:
    """sha256 of the file and, if asked, whether every byte sequence is valid UTF-8."""
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if check_utf8 else None
    utf8 = check_utf8
    with open(path, "rb") as fh:
        while block := fh.read(_READ_BLOCK):
            sha.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return sha.hexdigest(), utf8


def display_text(arr) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())


# ----------------------------------------------------------------------------------- CSV
def sniff_delimiter(lines: list[str]) -> str:
    """The candidate splitting the header into the most columns, consistently across rows."""
    rows = [ln for ln in lines if ln.strip()]
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = [ln.count(delim) for ln in rows]
        if not counts or counts[0] == 0:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        score = (agree, counts[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_csv(path: Path, head: bytes) -> Source:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path}: UTF-16 text — save it again as CSV with UTF-8 encoding")
    if head.startswith(b"PK\x03\x04"):
        raise UserError(f"{path}: a zip file or Excel workbook, not a table — export the sheet "
                        "as CSV")
    if b"\x00" in head:
        raise UserError(f"{path}: not a table (binary data) — give a CSV, Parquet or GPX file")
    sha, utf8 = _digest(path, check_utf8=True)
    encoding = "utf-8-sig" if utf8 else "latin-1"
    text = head.decode(encoding, errors="ignore")
    sample = text.splitlines()
    if len(head) == SAMPLE_BYTES and len(sample) > 1:
        sample = sample[:-1]  # the last line of a cut sample is partial
    if not sample or not sample[0].strip():
        raise UserError(f"{path}: the first line is empty — the file must start with a header row")
    delimiter = sniff_delimiter(sample[:200])
    header = next(csv.reader(io.StringIO(sample[0]), delimiter=delimiter))
    columns = [h.replace("\ufeff", "").strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise UserError(f"{path}: line 1: column {dupes[0]!r} appears twice in the header — "
                        "rename one of them")
    size = path.stat().st_size
    per_row = max(1.0, len(head) / max(1, len(sample)))
    if len(sample) < 2 and size <= len(head):
        raise UserError(f"{path}: empty file (header only, no rows) — export it again with rows")

    def chunks(rows: int) -> Iterator[Chunk]:
        return _csv_chunks(path, columns, delimiter, utf8, rows, per_row)

    return Source(path, "csv", columns, size, sha, chunks, encoding=encoding,
                  delimiter=delimiter, approx_rows=int(size / per_row))


def _csv_chunks(path: Path, columns: list[str], delimiter: str, utf8: bool, rows: int,
                per_row: float) -> Iterator[Chunk]:
    import pyarrow.csv as pcsv

    bad: list[tuple[int, str]] = []

    def on_invalid(row) -> str:  # wrong number of fields: keep it for the quarantine
        bad.append((row.number if row.number is not None else -1, row.text))
        return "skip"

    # about one chunk per block, so few batches need splitting into chunks
    block = int(min(64 << 20, max(1 << 20, per_row * rows * 0.95)))
    read = pcsv.ReadOptions(use_threads=False, block_size=block, column_names=columns,
                            skip_rows=1, encoding="utf8" if utf8 else "latin-1")
    parse = pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                              invalid_row_handler=on_invalid)
    convert = pcsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                  strings_can_be_null=False, quoted_strings_can_be_null=False)
    done = 0  # data rows delivered so far (blank lines included: they hold a line number)
    sent = 0  # malformed lines already handed out
    try:
        reader = pcsv.open_csv(path, read_options=read, parse_options=parse,
                               convert_options=convert)
        for batch in reader:
            for start in range(0, batch.num_rows, rows):
                piece = pa.Table.from_batches([batch.slice(start, rows)])
                lines = _line_numbers(done, piece.num_rows, bad)
                done += piece.num_rows
                blank = _blank_rows(piece)
                if blank.any():
                    keep = pa.array(~blank)
                    piece, lines = piece.filter(keep), lines[~blank]
                # malformed lines before this piece's end travel with it (bad is in line order)
                limit = int(lines[-1]) if len(lines) else 0
                upto = sent
                while upto < len(bad) and bad[upto][0] < limit:
                    upto += 1
                yield Chunk(piece, lines, bad[sent:upto], delimiter)
                sent = upto
        if sent < len(bad):
            yield Chunk(pa.table({c: pa.array([], pa.string()) for c in columns}),
                        np.zeros(0, np.int64), bad[sent:], delimiter)
    except (pa.ArrowException, UnicodeError, ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: cannot read as a table ({reason}) — check the delimiter, "
                        "quoting and encoding") from None


def _line_numbers(done: int, n: int, bad: list[tuple[int, str]]) -> np.ndarray:
    """Source line of each parsed row: header is line 1, skipped malformed lines keep theirs."""
    rows = np.arange(done, done + n, dtype=np.int64) + 2
    skipped = np.sort(np.array([b for b, _ in bad if b is not None and b >= 0], np.int64))
    if not len(skipped):
        return rows
    # the k-th delivered row sits on the k-th line that was not skipped
    gaps = skipped - np.arange(len(skipped))
    return rows + np.searchsorted(gaps, rows, side="right")


def _blank_rows(table: pa.Table) -> np.ndarray:
    blank = np.ones(table.num_rows, bool)
    for col in table.columns:
        blank &= pc.equal(col, "").to_numpy(zero_copy_only=False).astype(bool)
    return blank


# ------------------------------------------------------------------------------- Parquet
def _open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    sha, _ = _digest(path)
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
GPX_COLUMNS = ["vehicle_id", "timestamp", "lat", "lon", "speed_mps", "trip_id"]


def _open_gpx(path: Path) -> Source:
    import gpxpy
    import gpxpy.gpx

    sha, _ = _digest(path)
    try:
        with open(path, "rb") as fh:
            gpx = gpxpy.parse(fh.read().decode("utf-8", errors="replace"))
    except Exception as exc:  # gpxpy raises many types for malformed XML
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a readable GPX file ({reason}) — export it again") from None
    cols: dict[str, list] = {c: [] for c in GPX_COLUMNS}
    # gpxpy hands out one object per point; GPX files are small, so a loop here is cheap.
    for t, track in enumerate(gpx.tracks):
        vehicle = (track.name or "").strip() or path.stem
        for s, segment in enumerate(track.segments):
            pts = segment.points
            cols["vehicle_id"] += [vehicle] * len(pts)
            cols["timestamp"] += [p.time.isoformat() if p.time else "" for p in pts]
            cols["lat"] += [p.latitude for p in pts]
            cols["lon"] += [p.longitude for p in pts]
            cols["speed_mps"] += [p.speed for p in pts]
            cols["trip_id"] += [f"track{t + 1}.segment{s + 1}"] * len(pts)
    n = len(cols["lat"])
    if n == 0:
        raise UserError(f"{path}: no track points in this GPX file — export tracks, not only "
                        "waypoints or routes")
    table = pa.table({
        "vehicle_id": pa.array(cols["vehicle_id"], pa.string()),
        "timestamp": pa.array(cols["timestamp"], pa.string()),
        "lat": pa.array(cols["lat"], pa.float64()),
        "lon": pa.array(cols["lon"], pa.float64()),
        "speed_mps": pa.array(cols["speed_mps"], pa.float64()),
        "trip_id": pa.array(cols["trip_id"], pa.string()),
    })

    def chunks(rows: int) -> Iterator[Chunk]:
        for start in range(0, n, rows):
            piece = table.slice(start, rows)
            yield Chunk(piece, np.arange(start + 1, start + 1 + piece.num_rows, dtype=np.int64),
                        [], ",")

    return Source(path, "gpx", list(GPX_COLUMNS), path.stat().st_size, sha, chunks,
                  approx_rows=n)
