"""Read notes files and parse them into ``Document``s, one parser module per input format.

>>> doc = parse_string("# EBS\\n\\n- Max volume size = 16 TiB\\n", source="ebs.md")
>>> doc.format, [b.kind for b in doc.blocks]
('markdown', ['heading', 'bullet'])
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.model import Document
from ingest.parse.markdown import parse_markdown
from ingest.parse.text import parse_rendered_text
from kg.errors import ParseError

NOTE_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown"})
# Odd spaces that rendered pages and editors leave; folded to plain spaces.
_SPACES = {ord(c): " " for c in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"}
_SNIFF_BYTES = 8192
UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MARKDOWN_SIGNS = re.compile(r"^(#{1,6}\s|#{2,6}\S|```|~~~|\|.*\|\s*$|\s*[-*+]\s+\S|\s*\d+\.\s+\S)")


def decode_notes(data: bytes, source: str | Path) -> str:
    """Decode a notes file's bytes: UTF-8 (a BOM is dropped), or UTF-16/32 when a BOM says so.

    Raises:
        ParseError: The file is empty, binary, or not UTF-8; the message names the line.
    """
    for bom, codec in UNICODE_BOMS:  # UTF-32 first: its little-endian BOM starts like UTF-16's
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    source, f"is not valid {codec.upper()} (byte {exc.start + len(bom) + 1}): re-save it as UTF-8"
                ) from None
            if not text.strip():
                raise ParseError(source, "the file is empty: add some notes or leave it out of the ingest")
            _refuse_binary(text[:_SNIFF_BYTES], source)
            return text
    # Drop the BOM by hand: with the "utf-8-sig" codec, error offsets would not count it.
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if not body.strip():
        raise ParseError(source, "the file is empty: add some notes or leave it out of the ingest")
    _refuse_binary(body[:_SNIFF_BYTES], source)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            source,
            f"is not valid UTF-8 (byte 0x{body[exc.start]:02x}): re-save the file as UTF-8",
            line=line,
        ) from None


def _refuse_binary(head: bytes | str, source: str | Path) -> None:
    codes = head if isinstance(head, bytes) else [ord(c) for c in head]
    controls = sum(1 for code in codes if code < 9 or 13 < code < 32)
    if 0 in codes or controls > max(4, len(head) // 100):
        raise ParseError(source, "looks like a binary file, not notes: ingest .txt, .md or .markdown text files")


def split_lines(text: str) -> list[str]:
    """Split text into physical lines as ``grep -n`` numbers them (CRLF and NBSP handled).

    >>> split_lines("a\\r\\nb\\u00a0c\\n")
    ['a', 'b c']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1].translate(_SPACES) if line.endswith("\r") else line.translate(_SPACES) for line in lines]


def detect_format(lines: list[str], suffix: str) -> str:
    """``"markdown"`` for .md/.markdown files and for .txt files written in Markdown, else ``"text"``."""
    if suffix.lower() in MARKDOWN_SUFFIXES:
        return "markdown"
    sample = lines[:400]
    if any("•" in line for line in sample):
        return "text"
    signs = sum(1 for line in sample if _MARKDOWN_SIGNS.match(line))
    headings = sum(1 for line in sample if line.startswith("#"))
    return "markdown" if headings >= 1 and signs >= 3 else "text"


def parse_string(
    text: str,
    source: str = "<string>",
    *,
    fmt: str | None = None,
    sha256: str = "",
    is_service_title: Callable[[str], bool] | None = None,
) -> Document:
    """Parse notes given as a string.

    Args:
        text: The notes.
        source: The name they are cited by; its suffix picks the format when ``fmt`` is None.
        fmt: ``"text"`` or ``"markdown"`` to force a format.
        sha256: Hash to record on the document.
        is_service_title: Tells the rendered-text parser which headings name services.
    """
    lines = split_lines(text)
    fmt = fmt or detect_format(lines, Path(source).suffix)
    if fmt == "markdown":
        return parse_markdown(lines, source, sha256=sha256)
    if is_service_title is None:
        from ontology.catalog import default_catalog

        is_service_title = default_catalog().is_service_title
    return parse_rendered_text(lines, source, sha256=sha256, is_service_title=is_service_title)


def parse_file(path: str | Path, source: str | None = None, *, max_bytes: int | None = None) -> Document:
    """Read and parse one notes file.

    Args:
        path: The file.
        source: The name to cite it by (default: the file name).
        max_bytes: Refuse files larger than this.

    Raises:
        ParseError: The file is missing, unreadable, too large, empty, binary or not UTF-8.
    """
    path = Path(path)
    source = source or path.name
    if not path.exists():
        raise ParseError(path, "no such file or folder: check the path")
    if path.is_dir():
        raise ParseError(path, "is a folder: give `kg ingest` the folder itself to ingest its notes")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ParseError(path, f"is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit (KG_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path, f"cannot be read ({exc.strerror}): check its permissions") from None
    text = decode_notes(data, path)
    return parse_string(text, source, sha256=hashlib.sha256(data).hexdigest())


def discover(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Expand files and folders into ``(path, source)`` pairs, folders searched recursively.

    ``source`` is the path relative to the folder given (the file name when a file was given).

    Raises:
        ParseError: A path does not exist, or a folder holds no notes files.
    """
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ParseError(path, "no such file or folder: check the path")
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in NOTE_SUFFIXES and not _hidden(p, path)
            )
            if not files:
                raise ParseError(path, f"holds no notes files ({', '.join(NOTE_SUFFIXES)})")
            found += [(p, p.relative_to(path).as_posix()) for p in files]
        else:
            found.append((path, path.name))
    seen: set[str] = set()
    for _, source in found:
        if source in seen:
            raise ParseError(source, "is given twice (two inputs share this name): ingest their common folder instead")
        seen.add(source)
    return found


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
