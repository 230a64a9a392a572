"""Invariants of both parsers as Hypothesis properties, on generated note-like text.

Every non-blank line lands in exactly one block; spans lie inside the file, in order, without
overlap; list parents and sections are consistent; parsing never raises anything but ``ParseError``;
CRLF, NBSP and a missing final newline change nothing.
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.model import Document
from ingest.parse import UNICODE_BOMS, decode_notes, parse_string, split_lines
from kg.errors import ParseError

FORMATS = ["text", "markdown"]
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# fmt: off
WORDS = st.sampled_from([
    "Max", "object", "size", "=", "5", "TB", "Amazon", "S3", "per", "bucket", "Use", "Cases",
    "(default)", "e.g.,", "vs", "IOPS", "1,024", "characters.", "Limits:", "✅", "💡",
    "[docs](#docs)", "`code`", "**bold**", "<br>",
])
# fmt: on
PHRASE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
INDENT = st.sampled_from(["", " ", "  ", "   ", "    ", "      ", "        ", "\t", "\t\t", "\u00a0\u00a0"])
MARKER = st.sampled_from(["•", "▪", "◦", "-", "*", "+", "1.", "2.", "10.", "1)"])

BULLET = st.tuples(INDENT, MARKER, PHRASE).map(lambda t: f"{t[0]}{t[1]} {t[2]}")
ATX = st.tuples(st.integers(1, 7), st.sampled_from(["", " ", "  "]), PHRASE).map(
    lambda t: "#" * t[0] + t[1] + t[2],
)
TITLE = st.sampled_from(
    ["Amazon S3", "Amazon SQS", "Use Cases", "Storage and Content Delivery", "Limits", "Overview"],
)
PIPES = st.lists(PHRASE, min_size=1, max_size=4).map(lambda cells: "| " + " | ".join(cells) + " |")
# fmt: off
FIXED = st.sampled_from([
    "", "", "", "   ", "\u00a0", "===", "---", "***", "___", "- - -", "```", "```json", "~~~",
    "    code line", "|---|---|", "|:--|--:|", "--- | ---", "> quoted line", ">", "<!-- comment -->",
    "<!--", "-->", "+++", "...", "Name: myASG", "Id = 101", '\t"Version": "2012-10-17",', "{", "}", "[",
    "- [Overview](#overview)",
])
# fmt: on
KEYVALUE = PHRASE.map(lambda p: f"Key {p[:10]}: {p}")
UNICODE = st.text(st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=30)
NOTE_LINE = st.one_of(BULLET, BULLET, ATX, TITLE, PHRASE, PIPES, FIXED, FIXED, KEYVALUE, UNICODE)
NOTES = st.lists(NOTE_LINE, max_size=40).map("\n".join)


def is_service(title: str) -> bool:
    return title.startswith("Amazon ")


def parse(text: str, fmt: str) -> Document:
    return parse_string(
        text,
        f"notes.{'md' if fmt == 'markdown' else 'txt'}",
        fmt=fmt,
        is_service_title=is_service,
    )


def comparable(doc: Document) -> tuple[object, ...]:
    return (doc.lines, doc.sections, doc.blocks)


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES)
@example(text="•\n<!-- comment -->\nTitle")
@example(text="- a\n  ```\n  code\n  ```\n  after")
def test_properties_every_nonblank_line_in_exactly_one_block(fmt: str, text: str) -> None:
    doc = parse(text, fmt)
    owners: dict[int, int] = {}
    for block in doc.blocks:
        for number in range(block.line_start, block.line_end + 1):
            assert number not in owners, f"line {number} in blocks {owners.get(number)} and {block.id}"
            owners[number] = block.id
    for number, line in enumerate(doc.lines, start=1):
        if line.strip():
            assert number in owners, f"line {number} {line!r} in no block"


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES)
@example(text="•\n<!-- comment -->\nTitle")
@example(text="- a\n  ```\n  code\n  ```\n  after")
def test_properties_spans_inside_file_ordered_disjoint(fmt: str, text: str) -> None:
    doc = parse(text, fmt)
    previous_end = 0
    for index, block in enumerate(doc.blocks):
        assert block.id == index
        assert 1 <= block.line_start <= block.line_end <= len(doc.lines)
        assert block.line_start > previous_end
        previous_end = block.line_end
        assert doc.lines[block.line_start - 1].strip(), "a block starts on a blank line"
        assert doc.lines[block.line_end - 1].strip() or block.kind in {"code", "comment", "frontmatter"}


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES)
def test_properties_parents_and_sections_consistent(fmt: str, text: str) -> None:
    doc = parse(text, fmt)
    for block in doc.blocks:
        assert 0 <= block.section_id < len(doc.sections)
        ancestry = doc.ancestry(block, None)
        assert block.depth == len(ancestry)
        # an ancestor is a list item, or the paragraph that announces the list ("To peer two VNets:")
        # (in Markdown also a short title line right above the list: "State Locking")
        announces = {
            a.id
            for a in ancestry
            if a.kind == "paragraph"
            and (a.text.rstrip().endswith(":") or (fmt == "markdown" and len(a.text.split()) <= 6))
        }
        assert all(
            (a.kind in {"bullet", "navigation"} or a.id in announces) and a.line_start < block.line_start
            for a in ancestry
        )
        assert all(a.id == ancestry[0].id for a in ancestry if a.id in announces)  # only ever the outermost
        if block.parent_id is not None:
            assert block.kind in {"bullet", "navigation"}  # an anchor-only sub-item is navigation
            assert doc.blocks[block.parent_id].section_id == block.section_id
        if block.kind == "heading":
            section = doc.sections[block.section_id]
            assert (section.title, section.line) == (block.text, block.line_start)
    for index, section in enumerate(doc.sections[1:], start=1):
        assert section.id == index
        assert section.parent_id is not None and section.parent_id < section.id
        assert doc.sections[section.parent_id].level < section.level
        assert 1 <= section.line <= len(doc.lines)
        assert doc.section_path(section.id).count(" > ") == len(doc.section_chain(section.id)) - 1


@pytest.mark.parametrize("source", ["notes.txt", "notes.md", "notes.markdown"])
@PROPERTY_SETTINGS
@given(text=st.one_of(NOTES, st.text(max_size=300)))
def test_properties_arbitrary_text_never_crashes(source: str, text: str) -> None:
    try:
        doc = parse_string(text, source)  # format detection and the real service catalog
    except ParseError:
        return
    assert len(doc.lines) == len(split_lines(text))


@pytest.mark.parametrize("source", ["notes.txt", "notes.md"])
@PROPERTY_SETTINGS
@given(
    data=st.one_of(st.binary(max_size=300), NOTES.map(str.encode), UNICODE.map(lambda s: s.encode("utf-16"))),
)
def test_properties_arbitrary_bytes_only_parse_errors(source: str, data: bytes) -> None:
    try:
        text = decode_notes(data, source)
    except ParseError as exc:
        assert exc.source == source
        assert "\n" not in str(exc)
        return
    bom = next(((b, codec) for b, codec in UNICODE_BOMS if data.startswith(b)), None)
    assert text == (data[len(bom[0]) :].decode(bom[1]) if bom else data.decode("utf-8-sig"))
    parse_string(text, source)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@PROPERTY_SETTINGS
@given(head=NOTES, tail=NOTES, bad=st.sampled_from([b"\xff", b"\xe9t\xe9", b"\xc3", b"\xed\xa0\x80"]))
@example(head="Amazon S3\n\n  • a", tail="b", bad=b"\xe9")
def test_properties_non_utf8_error_names_the_line(bom: bytes, head: str, tail: str, bad: bytes) -> None:
    prefix = head.encode() + b"\n"
    data = bom + prefix + bad + tail.encode()
    if not prefix.strip() and not tail.strip():
        prefix = b"x\n"
        data = bom + prefix + bad + tail.encode()
    with pytest.raises(ParseError) as caught:
        decode_notes(data, "notes.md")
    if "binary" in caught.value.reason:
        return
    assert caught.value.line == prefix.count(b"\n") + 1
    assert f"notes.md:{caught.value.line}:" in str(caught.value)
    assert f"0x{bad[0]:02x}" in caught.value.reason


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES)
def test_properties_crlf_gives_same_blocks(fmt: str, text: str) -> None:
    assert comparable(parse(text.replace("\n", "\r\n"), fmt)) == comparable(parse(text, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES, data=st.data())
def test_properties_nbsp_same_as_space(fmt: str, text: str, data: st.DataObject) -> None:
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    chosen = set(data.draw(st.lists(st.sampled_from(spaces), unique=True), label="nbsp") if spaces else [])
    with_nbsp = "".join("\u00a0" if i in chosen else ch for i, ch in enumerate(text))
    assert comparable(parse(with_nbsp, fmt)) == comparable(parse(text, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(text=NOTES.filter(lambda t: t != "" and not t.endswith("\n")))
def test_properties_missing_final_newline_changes_nothing(fmt: str, text: str) -> None:
    assert comparable(parse(text, fmt)) == comparable(parse(text + "\n", fmt))


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@PROPERTY_SETTINGS
@given(lines=st.lists(UNICODE, max_size=30), final=st.booleans())
def test_properties_split_lines_counts_like_grep(ending: str, lines: list[str], final: bool) -> None:
    text = ending.join(lines) + (ending if final and lines else "")
    split = split_lines(text)
    grep_count = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    assert len(split) == grep_count
    assert all("\r" not in line and "\u00a0" not in line for line in split)
