"""Turn the raw bytes of a dump into text, guessing the encoding.

Dumps come from Chinese news sites: mostly UTF-8, some GBK/GB18030, Big5 (traditional
sites) or UTF-16 (files saved by Windows tools). Nothing here knows about Django.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import threading
import unicodedata
from dataclasses import dataclass

import charset_normalizer


@dataclass(frozen=True)
class Decoded:
    text: str  # "\n" newlines, no BOM, no NUL characters
    encoding: str  # lower-case Python codec name actually used
    replaced: int  # undecodable byte sequences replaced by U+FFFD


class UndecodableDump(ValueError):
    """The bytes are not text we can read: .reason is a short English sentence for the import report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


BINARY = "binary data, not text"
UNREADABLE = "no supported encoding (UTF-8, GB18030, Big5, UTF-16) gives readable Chinese text"

# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_BOMS = {codecs.BOM_UTF32_LE: "utf-32", codecs.BOM_UTF32_BE: "utf-32", codecs.BOM_UTF8: "utf-8-sig"}
_BOMS |= {codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16"}
# File signatures of things people save by mistake (images, PDFs, archives, executables).
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF")

# The codecs we try when the bytes are not UTF-8, in tie-break order. GBK and GB2312 are subsets of
# GB18030, and cp950 is Big5 plus vendor extensions, so the supersets cover them.
_CANDIDATES = ["gb18030", "big5", "cp950", "utf-16-le", "utf-16-be", "utf-8"]
_MIN_PLAUSIBILITY = 0.5  # right decodings of Chinese sentences score 0.8 or more, random bytes about 0
_SAMPLE_CHARS = 20_000  # scoring a prefix is enough to rank candidates and keeps large files fast
_WHITESPACE_CONTROLS = "\t\n\r\x0b\x0c"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc minus whitespace
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"


def _table(codec: str, leads: range, trails: list[int], last: bytes = b"\xff\xff") -> set[str]:
    """The characters of a block of double-byte codes, up to and including code `last`."""
    chars = set()
    for lead in leads:
        for trail in trails:
            code = bytes([lead, trail])
            if code > last:
                return chars
            with contextlib.suppress(UnicodeDecodeError):  # gaps in the code table
                chars.add(code.decode(codec))
    return chars


# How typical a character is of Chinese text. No data file is needed: both national standards
# already sort characters into a common and a rarer level. GB2312 level 1 holds the 3,755 most used
# simplified characters, level 2 another 3,008; Big5 lists 5,401 frequent traditional characters
# before 7,652 less frequent ones. A wrong decoding scatters characters over the whole code space.
_GB_TRAILS = list(range(0xA1, 0xFF))
_BIG5_TRAILS = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
_SIMPLIFIED = dict.fromkeys(_table("gb2312", range(0xD8, 0xF8), _GB_TRAILS), 0.5)
_SIMPLIFIED.update(dict.fromkeys(_table("gb2312", range(0xB0, 0xD8), _GB_TRAILS), 1.0))
_TRADITIONAL = dict.fromkeys(_table("big5", range(0xC9, 0xFA), _BIG5_TRAILS), 0.5)
_TRADITIONAL.update(dict.fromkeys(_table("big5", range(0xA4, 0xC7), _BIG5_TRAILS, last=b"\xc6\x7e"), 1.0))
# The commonest simplified characters, which make up nearly all of ordinary text.
COMMON_SIMPLIFIED = frozenset(ch for ch, weight in _SIMPLIFIED.items() if weight == 1.0)
# Punctuation, symbols and pinyin letters common in Chinese web text, plus CJK and full-width forms.
_PUNCTUATION = set("·×÷°—‘’“”…‰※№℃←↑→↓■□▲△◆◇○●★☆āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü")
_PUNCTUATION |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}


def _plausibility(text: str) -> float:
    """Score in [-1, 1] of how much `text` looks like Chinese (1: only common characters).

    ASCII counts for nothing because GB18030 and Big5 decode it alike; the text is scored as
    simplified and as traditional and the better reading wins, so a wrong decoding that mixes
    both scripts scores low even though each character may be common in one of them.
    """
    simplified = traditional = 0.0
    counted = 0
    for ch in text[:_SAMPLE_CHARS]:
        if ch < "\x7f" and (ch >= " " or ch in _WHITESPACE_CONTROLS):
            continue
        counted += 1
        if ch in _PUNCTUATION:
            simplified += 1
            traditional += 1
        elif ch in _SIMPLIFIED or ch in _TRADITIONAL:
            simplified += _SIMPLIFIED.get(ch, 0.0)
            traditional += _TRADITIONAL.get(ch, 0.0)
        elif ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn"):
            simplified -= 1  # control, private-use, surrogate, unassigned: signs of a wrong codec
            traditional -= 1
    return max(simplified, traditional) / counted if counted else 1.0


class _Counter(threading.local):
    replaced = 0


_counter = _Counter()


def _count_and_replace(error: UnicodeDecodeError) -> tuple[str, int]:
    """Like errors="replace", but counts the replacements (per thread)."""
    _counter.replaced += 1
    return "\ufffd", error.end


codecs.register_error("ingest-count-replace", _count_and_replace)


def _decode_replacing(raw: bytes, codec: str) -> tuple[str, int]:
    _counter.replaced = 0
    text = raw.decode(codec, "ingest-count-replace")
    return text, _counter.replaced


def _guess(raw: bytes) -> tuple[str, str, int]:
    """Pick the codec whose decoding looks most like Chinese text.

    charset_normalizer ranks the candidates, but on short texts it often takes GBK bytes for Big5
    (and the other way round): almost every Big5 byte pair is a valid GBK code and many GBK pairs are
    valid Big5. So every candidate is decoded and scored, and the score decides. Ties happen on
    texts of a few characters where both readings are common characters: they go to GB18030, the
    encoding of mainland sites that make up most dumps, then follow charset_normalizer's ranking.
    """
    try:
        matches = charset_normalizer.from_bytes(raw, cp_isolation=_CANDIDATES)
        ranked = [codecs.lookup(m.encoding).name for m in matches]
    except Exception:  # a detector failure must not stop the import: fall back to our own order
        ranked = []
    order = ["gb18030"] + [c for c in ranked if c in _CANDIDATES] + _CANDIDATES
    best: tuple[float, str, str, int] | None = None
    for codec in dict.fromkeys(order):
        if codec.startswith("utf-16") and len(raw) % 2:
            continue
        try:
            text, replaced = raw.decode(codec), 0
        except UnicodeDecodeError:
            text, replaced = _decode_replacing(raw, codec)
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, codec, text, replaced)
    assert best is not None
    score, codec, text, replaced = best
    if score < _MIN_PLAUSIBILITY:
        # Legacy-encoded text has no control bytes; random data has about one in eleven.
        control_bytes = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
        raise UndecodableDump(BINARY if control_bytes > 0.02 * len(raw) else UNREADABLE)
    return text, codec, replaced


def _utf16_without_bom(raw: bytes) -> str | None:
    """Mostly-ASCII UTF-16 without a BOM (valid UTF-8 too): a NUL in every other byte, all on one side.

    UTF-16 with much Chinese in it is not valid UTF-8 and is recognised by _guess instead.
    """
    half = len(raw) // 2
    if len(raw) % 2 or not half:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    if odd > 0.3 * half and even < 0.01 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.01 * half:
        return "utf-16-be"
    return None


def decode_dump(raw: bytes) -> Decoded:
    """Decode a dump; raise UndecodableDump for empty files and binary data."""
    if not raw.strip():
        raise UndecodableDump("empty file")
    if raw.startswith(_MAGIC):
        raise UndecodableDump(BINARY)
    encoding = next((codec for bom, codec in _BOMS.items() if raw.startswith(bom)), None)
    if not encoding and b"\x00" in raw:
        encoding = _utf16_without_bom(raw)
    if encoding:
        text, replaced = _decode_replacing(raw, encoding)
    else:
        try:
            text, encoding, replaced = raw.decode("utf-8"), "utf-8", 0
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.end == len(raw):
                # A UTF-8 file cut inside its last character: keep UTF-8, replace the stub.
                text, encoding, replaced = raw[: error.start].decode("utf-8") + "\ufffd", "utf-8", 1
            else:
                text, encoding, replaced = _guess(raw)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UndecodableDump("empty file")
    # Text has almost no control characters; binary data has plenty (NULs above all).
    if len(_CONTROL_CHARS.findall(text)) > 0.05 * len(text) or replaced > max(1, 0.25 * len(text)):
        raise UndecodableDump(BINARY)
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text=text, encoding=encoding, replaced=replaced)
