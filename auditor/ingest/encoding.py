"""Which text encoding a CSV file is in, and a reader that keeps a UTF-8 file's good lines when a
few lines are not UTF-8.

One stray byte must not turn a whole UTF-8 file into latin-1 (every non-ASCII id would become
mojibake and stop matching the other files). So a file is read in another encoding only when it
is not UTF-8 at all: it has no valid multi-byte UTF-8 sequence, or more invalid bytes than valid
sequences. Then it is Shift-JIS (Japanese Excel's CSV) or GB18030 when it decodes as that and
reads as Japanese or Chinese, else the Windows code page its letters read in (Central European,
Cyrillic, Greek, Turkish, Hebrew, Arabic), else latin-1. Otherwise the lines holding invalid
bytes are quarantined (``bad_encoding``) and the rest is read as UTF-8. Everything is
vectorised over blocks of bytes; Python only touches the bad lines."""
from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator, Optional

import numpy as np

from auditor.errors import UserError

READ_BLOCK = 1 << 20  # memory held while hashing: small blocks hash as fast
GZIP_MAGIC = b"\x1f\x8b"
UTF8, UTF8_WITH_BAD_LINES, LATIN1 = "utf-8", "utf-8, bad lines quarantined", "latin-1"
SHIFT_JIS = "cp932"  # what Japanese Excel saves a CSV in (Shift-JIS with Microsoft's extensions)
GB18030 = "gb18030"  # Chinese Windows' and platforms' exports (GBK, GB2312 are subsets)
CYRILLIC = "cp1251"  # Russian-speaking Windows' exports (Wialon, 1C)
# Excel's "Unicode Text" and some Windows tools: with a byte-order mark, or (rarely) without
UTF16, UTF16_LE, UTF16_BE = "utf-16", "utf-16-le", "utf-16-be"
# single-byte Windows code pages other than latin-1, and the script of each non-Latin one
CENTRAL_EUROPEAN, GREEK, TURKISH, HEBREW, ARABIC, BALTIC = (
    "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257")
SCRIPTS = {CYRILLIC: ("\u0400", "\u04ff"), GREEK: ("\u0370", "\u03ff"),
           HEBREW: ("\u0590", "\u05ff"), ARABIC: ("\u0600", "\u06ff")}
SINGLE_BYTE = (CENTRAL_EUROPEAN, CYRILLIC, "cp1252", GREEK, TURKISH, HEBREW, ARABIC, BALTIC)
# Python's codec for each verdict that is not UTF-8
CODECS = {LATIN1: "latin-1", SHIFT_JIS: "cp932", GB18030: "gb18030", CYRILLIC: "cp1251",
          CENTRAL_EUROPEAN: "cp1250", GREEK: "cp1253", TURKISH: "cp1254", HEBREW: "cp1255",
          ARABIC: "cp1256",
          UTF16: "utf-16", UTF16_LE: "utf-16-le", UTF16_BE: "utf-16-be"}
_SAMPLE_CHARS = 20_000  # non-ASCII characters looked at to tell the text's language
_SAMPLE_BYTES = 512 << 10  # bytes a single-byte code page is judged on
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]")


def utf8_check(buf: np.ndarray) -> tuple[np.ndarray, int]:
    """(mask of bytes that belong to no valid UTF-8 sequence, number of valid multi-byte
    sequences) for uint8 ``buf``; strict like Python's decoder (no overlongs, surrogates or
    code points above U+10FFFF). ``buf`` must not end inside a sequence (cut it at a newline)."""
    b = buf
    n = len(b)

    def ahead(mask: np.ndarray, k: int) -> np.ndarray:
        out = np.zeros(n, bool)
        if n > k:
            out[:n - k] = mask[k:]
        return out

    high = b >= 0x80
    if not high.any():
        return np.zeros(n, bool), 0
    cont = (b & 0xC0) == 0x80
    c1, c2, c3 = ahead(cont, 1), ahead(cont, 2), ahead(cont, 3)
    nxt = np.zeros(n, np.uint8)
    nxt[:-1] = b[1:]
    lead2 = (b >= 0xC2) & (b <= 0xDF) & c1
    lead3 = ((b & 0xF0) == 0xE0) & c1 & c2
    lead3 &= ~((b == 0xE0) & (nxt < 0xA0)) & ~((b == 0xED) & (nxt > 0x9F))
    lead4 = (b >= 0xF0) & (b <= 0xF4) & c1 & c2 & c3
    lead4 &= ~((b == 0xF0) & (nxt < 0x90)) & ~((b == 0xF4) & (nxt > 0x8F))
    lead = lead2 | lead3 | lead4
    claimed = np.zeros(n, bool)
    claimed[1:] |= lead[:-1]
    long3 = lead3 | lead4
    claimed[2:] |= long3[:-2]
    claimed[3:] |= lead4[:-3]
    return high & ~lead & ~claimed, int(np.count_nonzero(lead))


def utf16_of(head: bytes) -> Optional[str]:
    """UTF-16 by its byte-order mark, or by a NUL in every other byte of mostly ASCII text
    (no mark); None for anything else."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return UTF16
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return UTF16_LE
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return UTF16_BE
    return None


def legacy_encoding(path: Path) -> str:
    """The encoding of a text file that is not UTF-8: Shift-JIS or GB18030 when it decodes so
    and reads as Japanese or Chinese; else the single-byte Windows code page its text reads in
    (``_single_byte``); else latin-1 (which decodes any byte). Read as latin-1, such an
    export's headers and plate ids are mojibake that match no alias and no other file."""
    for verdict, reads in ((SHIFT_JIS, _reads_as_japanese), (GB18030, _reads_as_chinese)):
        # the sample first (the language test), then every byte of only the one that passes
        runs = _decoded_runs(path, CODECS[verdict], whole=False)
        if runs and reads(runs) and _decoded_runs(path, CODECS[verdict], whole=True) is not None:
            return verdict
    verdict = _single_byte(path)
    if verdict != LATIN1 and _decoded_runs(path, CODECS[verdict], whole=True) is None:
        return LATIN1  # a byte that code page does not define: not that code page
    return verdict


def _single_byte(path: Path) -> str:
    """Which single-byte code page a file's sample reads in. Every byte above 0x7F is a letter
    of some script in most of them, so the scripts are told apart by how their letters go
    together (charset_normalizer's coherence, per language) and then checked: nearly all the
    sample's non-ASCII characters must be letters of that script. The Latin ones decode a
    Western file's é, ü, ß alike and differ in a few letters, so they are judged by those:
    Central European when latin-1 would put symbols or control characters inside words
    (Polish ł ż ą, Czech š ž), Turkish when its own ğ ı ş are common."""
    from charset_normalizer import from_bytes

    with open_bytes(path) as fh:
        sample = fh.read(_SAMPLE_BYTES)
    cut = sample.rfind(b"\n") + 1
    sample = sample[:cut] if cut else sample
    best = from_bytes(sample, cp_isolation=list(SINGLE_BYTE)).best()
    if best is not None and best.encoding in SCRIPTS:
        low, high = SCRIPTS[best.encoding]
        chars = "".join(_NON_ASCII.findall(sample.decode(best.encoding, "replace")))
        if chars and sum(low <= c <= high for c in chars) >= 0.9 * len(chars):
            return best.encoding
    latin = _letters(sample, "latin-1")
    central, n = _letters(sample, CENTRAL_EUROPEAN), max(1, len(_NON_ASCII_BYTES.findall(sample)))
    if central >= 0.95 * n and central - latin >= 0.1 * n:
        return CENTRAL_EUROPEAN
    turkish = sample.decode(TURKISH, "replace")
    if sum(turkish.count(c) for c in "ğışİĞŞ") >= 0.1 * n and _letters(sample, TURKISH) >= 0.95 * n:
        return TURKISH
    return LATIN1


def _letters(sample: bytes, codec: str) -> int:
    """How many of the sample's non-ASCII characters are letters, decoded with ``codec``."""
    text = sample.decode(codec, "replace")
    return sum(c.isalpha() for run in _NON_ASCII.findall(text) for c in run)


def _decoded_runs(path: Path, codec: str, whole: bool) -> Optional[list]:
    """Runs of non-ASCII characters (up to _SAMPLE_CHARS of them) of the file decoded with
    ``codec``, read until the sample is full or, ``whole``, to the end; None when some byte
    read does not decode so."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    runs: list = []
    seen = 0
    try:
        with open_bytes(path) as fh:
            while block := fh.read(READ_BLOCK):
                text = decoder.decode(block)
                if seen < _SAMPLE_CHARS and not block.isascii():
                    for run in _NON_ASCII.findall(text):
                        runs.append(run)
                        seen += len(run)
                        if seen >= _SAMPLE_CHARS:
                            break
                if seen >= _SAMPLE_CHARS and not whole:
                    return runs
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    except DAMAGED_GZIP:
        raise damaged(path) from None
    return runs


def _reads_as_japanese(runs: list) -> bool:
    """Whether characters decoded as Shift-JIS are Japanese text: nearly all kana, kanji or
    full-width forms, and at least half of them kana or common (JIS level 1) kanji. Western
    latin-1 text decoded so gives half-width katakana, rare kanji, private-use characters or
    an error; Chinese GBK text gives half-width katakana."""
    chars = "".join(runs)
    if not chars:
        return False
    japanese = common = 0
    for c in chars:  # a sample of at most _SAMPLE_CHARS, never the whole file
        kana = "\u3040" <= c <= "\u30ff"
        kanji = "\u4e00" <= c <= "\u9fff"
        japanese += kana or kanji or "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff9f"
        # level 1 kanji are Shift-JIS lead bytes 0x88-0x98
        common += kana or (kanji and 0x88 <= c.encode(CODECS[SHIFT_JIS])[0] <= 0x98)
    return japanese >= 0.9 * len(chars) and common >= 0.5 * len(chars)


def _reads_as_chinese(runs: list) -> bool:
    """Whether characters decoded as GB18030 are Chinese text: nearly all hanzi, CJK
    punctuation or full-width forms, and at least half of them common hanzi (GB2312 level 1:
    lead byte 0xB0-0xD7, trail byte 0xA1 or above). Western latin-1 text decoded so is mostly
    rare hanzi (an accented capital followed by an ASCII letter) or an error."""
    chars = "".join(runs)
    if not chars:
        return False
    chinese = common = 0
    for c in chars:  # a sample of at most _SAMPLE_CHARS
        hanzi = "\u4e00" <= c <= "\u9fff"
        chinese += hanzi or "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e"
        if hanzi:
            code = c.encode(CODECS[GB18030])
            common += len(code) == 2 and 0xB0 <= code[0] <= 0xD7 and code[1] >= 0xA1
    return chinese >= 0.9 * len(chars) and common >= 0.5 * len(chars)


# what a cut or damaged .gz raises while it is read
DAMAGED_GZIP = (EOFError, gzip.BadGzipFile, zlib.error)


def damaged(path) -> UserError:
    return UserError(f"{path}: the compressed file is cut short or damaged — copy or compress "
                     "it again")


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (a .csv.gz export): every reader of a
    text input goes through here, so a compressed file is read like the plain one."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def line_blocks(path: Path, block: int) -> Iterator[tuple[bytes, int]]:
    """(whole lines, the 1-based number of their first line) in blocks of about ``block``
    bytes; a leading UTF-8 BOM dropped. For readers of line-per-record text (jsonl.py,
    nmea.py)."""
    done, carry, first = 0, b"", True
    with open_bytes(path) as fh:
        while True:
            data = fh.read(block)
            if first:
                data, first = data[3:] if data.startswith(b"\xef\xbb\xbf") else data, False
            if not data and not carry:
                return
            buf = carry + data
            cut = len(buf) if not data else buf.rfind(b"\n") + 1
            if cut == 0:  # no line end in this block yet
                carry = buf
                continue
            part, carry = buf[:cut], buf[cut:]
            yield part, done + 1
            done += part.count(b"\n") + (not part.endswith(b"\n"))


def plain_size(path: Path) -> int:
    """Bytes of the file's text: a gzip file's trailer states it (modulo 4 GiB, so a larger
    file is guessed at 5x its size — for progress only)."""
    size = Path(path).stat().st_size
    if not is_gzip(path) or size < 18:
        return size
    with open(path, "rb") as fh:
        fh.seek(-4, 2)
        stated = int.from_bytes(fh.read(4), "little")
    return stated if stated >= size else size * 5


@dataclass
class Survey:
    """One pass over the file: its sha256 and what its bytes say about the encoding."""
    sha256: str
    invalid_bytes: int = 0
    multibyte: int = 0        # valid multi-byte UTF-8 sequences

    @property
    def encoding(self) -> str:
        if not self.invalid_bytes:
            return UTF8
        if self.multibyte and self.invalid_bytes <= self.multibyte:
            return UTF8_WITH_BAD_LINES
        return LATIN1


def survey(path: Path, check_text: bool = True) -> Survey:
    """sha256 and (for text) the UTF-8 verdict, in one read of the file (of its text, when it
    is gzip: the same rows hash the same compressed or not)."""
    sha = hashlib.sha256()
    out = Survey("")
    try:
        _read_all(path, sha, out, check_text)
    except DAMAGED_GZIP:
        raise damaged(path) from None
    out.sha256 = sha.hexdigest()
    return out


def _read_all(path: Path, sha, out: Survey, check_text: bool) -> None:
    carry = b""
    with open_bytes(path) as fh:
        while True:
            block = fh.read(READ_BLOCK)
            sha.update(block)
            if not check_text:
                if not block:
                    break
                continue
            if not carry and block.isascii():  # most exports: nothing to decode or carry
                if not block:
                    break
                continue
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            piece, carry = data[:cut], data[cut:]
            if piece:
                _count(piece, out)
            if not block:
                break


def _count(piece: bytes, out: Survey) -> None:
    if piece.isascii():  # most exports: nothing to decode or count
        return
    try:
        piece.decode("utf-8")  # C fast path: clean text
    except UnicodeDecodeError:
        bad, multibyte = utf8_check(np.frombuffer(piece, np.uint8))
        out.invalid_bytes += int(np.count_nonzero(bad))
        out.multibyte += multibyte
        return
    arr = np.frombuffer(piece, np.uint8)
    out.multibyte += int(np.count_nonzero(arr >= 0xC0))  # lead bytes of valid sequences


@dataclass
class BadLines:
    """Lines set aside by LineFilter, handed out in line order and then forgotten."""
    pending: list = field(default_factory=list)  # [(line, text, "bad_encoding")]


class LineFilter(io.RawIOBase):
    """A binary stream of a UTF-8 file in which every line holding invalid bytes is replaced by
    an empty line (so line numbers stay true and the CSV reader sees a blank row) and noted in
    ``bad.pending`` with its text (invalid bytes shown as U+FFFD). Line 1, the header, is
    passed through: the reader skips it."""

    def __init__(self, raw: BinaryIO, block: int = READ_BLOCK):
        super().__init__()
        self.raw, self.block = raw, block
        self.bad = BadLines()
        self.line = 1            # number of the first line of the next piece
        self.carry = b""
        self.out = b""
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.out and not self.eof:
            self._fill()
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n

    def _fill(self) -> None:
        block = self.raw.read(self.block)
        data = self.carry + block
        if not block:
            self.eof = True
            cut = len(data)
        else:
            cut = data.rfind(b"\n") + 1
        piece, self.carry = data[:cut], data[cut:]
        if piece:
            self.out = self._clean(piece)

    def _clean(self, piece: bytes) -> bytes:
        first = self.line
        self.line += piece.count(b"\n")
        if piece.isascii():
            return piece
        try:
            piece.decode("utf-8")
            return piece
        except UnicodeDecodeError:
            pass
        arr = np.frombuffer(piece, np.uint8)
        bad, _ = utf8_check(arr)
        newlines = np.flatnonzero(arr == 0x0A)
        starts = np.r_[0, newlines + 1]
        ends = np.r_[newlines, len(arr)]  # exclusive, without the newline
        hit = np.unique(np.searchsorted(newlines, np.flatnonzero(bad), side="left"))
        if first == 1:
            hit = hit[hit != 0]  # the header: the reader skips it
        if not len(hit):
            return piece
        keep = np.ones(len(arr), bool)
        for k in hit.tolist():  # one step per bad line, never per row
            s, e = int(starts[k]), int(ends[k])
            text = piece[s:e].rstrip(b"\r").decode("utf-8", errors="replace")
            self.bad.pending.append((first + k, text, "bad_encoding"))
            keep[s:e] = False
        return arr[keep].tobytes()
