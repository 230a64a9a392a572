"""Spot checks of the rendered-text parser on the bundled AWS notes, plus small inline cases.

Line numbers are the ones `grep -n` prints on ``data/notes/aws-notes.txt``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.model import Block, Document
from ingest.parse import parse_file, parse_string
from ingest.parse.text import parse_rendered_text

BUNDLED_SHA256 = "5646eca0a4ce1f2eb37b3c0ac960fd9ddda9f91e4b5dbeeef38deebaa6d7e908"
STORAGE = "Storage and Content Delivery Service"
S3 = f"{STORAGE} > S3 (Simple Storage Service)"
GATEWAY = f"{STORAGE} > AWS Storage Gateway > 3 configurations for AWS Storage Gateway"
SQS = "Application Services > Amazon Simple Queue Service (SQS)"
ELB = "Compute and Network Services > Elastic Load Balancing (ELB)"
VPC = "Compute and Network Services > AWS Virtual Private Cloud (VPC)"
RDS = "Database service > Amazon Relational Database Service (RDS)"


@pytest.fixture(scope="module")
def aws_doc(aws_notes: Path) -> Document:
    return parse_file(aws_notes)


def block_at(doc: Document, line: int) -> Block:
    """The one block whose span holds ``line``."""
    found = [b for b in doc.blocks if b.line_start <= line <= b.line_end]
    assert len(found) == 1, (line, found)
    return found[0]


def service_titles(title: str) -> bool:
    return title.startswith("Amazon ")


# --- the file itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("expected", [BUNDLED_SHA256])
def test_text_bundled_notes_sha256(aws_notes: Path, aws_doc: Document, expected: str) -> None:
    assert hashlib.sha256(aws_notes.read_bytes()).hexdigest() == expected
    assert aws_doc.sha256 == expected


@pytest.mark.parametrize("expected_lines", [2903])
def test_text_line_count_matches_grep(aws_notes: Path, aws_doc: Document, expected_lines: int) -> None:
    data = aws_notes.read_bytes()
    assert not data.endswith(b"\n")
    newlines = data.count(b"\n")  # what `wc -l` prints
    assert newlines + 1 == expected_lines
    assert len(aws_doc.lines) == expected_lines
    if shutil.which("grep"):
        counted = subprocess.run(
            ["grep", "-c", "", str(aws_notes)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(counted.stdout) == expected_lines
    if shutil.which("wc"):
        counted = subprocess.run(["wc", "-l", str(aws_notes)], capture_output=True, text=True, check=True)
        assert int(counted.stdout.split()[0]) == expected_lines - 1


@pytest.mark.parametrize(
    ("line", "text"),
    [(2903, "NAT (Network Address Translation) instances and NAT Gateways - allows EC2 instances deployed")],
)
def test_text_last_line_without_newline_is_parsed(aws_doc: Document, line: int, text: str) -> None:
    assert aws_doc.line(line).endswith("Internet access")
    last = aws_doc.blocks[-1]
    assert (last.kind, last.line_start, last.line_end) == ("bullet", line, line)
    assert last.text.startswith(text)
    assert last.text.endswith("Internet access")


@pytest.mark.parametrize("fmt", ["text"])
def test_text_bundled_notes_detected_as_rendered_text(aws_doc: Document, fmt: str) -> None:
    assert aws_doc.format == fmt
    assert aws_doc.source == "aws-notes.txt"


@pytest.mark.parametrize("kind", ["bullet", "heading", "table", "keyvalue", "code", "paragraph"])
def test_text_bundled_notes_use_kind(aws_doc: Document, kind: str) -> None:
    assert any(b.kind == kind for b in aws_doc.blocks)


@pytest.mark.parametrize("allowed_overlap", [0])
def test_text_every_nonblank_line_in_exactly_one_block(aws_doc: Document, allowed_overlap: int) -> None:
    owners: dict[int, int] = {}
    for block in aws_doc.blocks:
        for number in range(block.line_start, block.line_end + 1):
            assert number not in owners, (number, owners.get(number), block.id)
            owners[number] = block.id
    uncovered = [n for n, text in enumerate(aws_doc.lines, 1) if text.strip() and n not in owners]
    assert len(uncovered) == allowed_overlap, uncovered[:10]


# --- bullets: section path and ancestry -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "text", "section", "ancestry"),
    [
        (
            80,
            "Max 1024 bytes of UTF-8 characters (including slashes, backslashes, dots, dashes)",
            f"{S3} > S3 Objects",
            ["Object Key", "Limitations"],
        ),
        (
            81,
            "Keys must be unique within a single bucket",
            f"{S3} > S3 Objects",
            ["Object Key", "Limitations"],
        ),
        (70, "Max object size = 5TB", f"{S3} > S3 Objects", []),
        (64, "Max 100 buckets per account.", f"{S3} > S3 Buckets", ["Limitations"]),
        (395, "Max volume size = 32TB", GATEWAY, ["Gateway-Cached Volumes"]),
        (405, "Max volume size = 16TB", GATEWAY, ["Gateway-Stored Volumes"]),
        (398, "Point-in-time snapshots can be taken", GATEWAY, ["Gateway-Cached Volumes", "Backup"]),
        (
            408,
            "The data is backed up in the form of EBS snapshots.",
            GATEWAY,
            ["Gateway-Stored Volumes", "Backup"],
        ),
        (425, "Max number of tapes per gateway = 1,500", GATEWAY, ["Gateway Virtual Tape Libraries (VTL)"]),
        (
            2723,
            "Max length = 100 characters.",
            f"{SQS} > Queue and Message Identifiers",
            ["SQS uses 3 identifiers:", "Message IDs"],  # the paragraph announcing the list is its parent
        ),
        (
            2729,
            "Max length = 1,024 characters.",
            f"{SQS} > Queue and Message Identifiers",
            ["SQS uses 3 identifiers:", "Receipt handles."],
        ),
        (228, "Max 40 TB of data per archive", f"{STORAGE} > Amazon Glacier", ["Archives"]),
        (235, "Max 1000 vaults per account", f"{STORAGE} > Amazon Glacier", ["Vaults"]),
        (
            173,
            "provides audit of who used the key",
            f"{S3} > S3 Data Protection",
            [
                "Encryption",
                "Encrypt data at rest",
                "Server-Side Encryption (SSE)",
                "SSE-KMS (AWS KMS Keys)",
                "SSE-KMS offers additional benefits",
            ],
        ),
        (
            2893,
            "Unlike AWS Snowball, AWS Import/Export Disk",
            "Application Services > AWS Import/Export",
            ["AWS Import/Export Disk", "Features:"],
        ),
    ],
)
def test_text_bullet_section_and_ancestry(
    aws_doc: Document, line: int, text: str, section: str, ancestry: list[str]
) -> None:
    block = block_at(aws_doc, line)
    assert block.kind == "bullet"
    assert (block.line_start, block.line_end) == (line, line)
    assert block.text.startswith(text)
    assert aws_doc.section_path(block.section_id) == section
    assert [a.text for a in aws_doc.ancestry(block)] == ancestry
    assert block.depth == len(ancestry)
    parents = aws_doc.ancestry(block)
    assert block.parent_id == (parents[-1].id if parents else None)
    assert all(p.line_start < line for p in parents)


@pytest.mark.parametrize(
    ("line", "context"),
    [
        (80, f"{S3} > S3 Objects > Object Key > Limitations"),
        (395, f"{GATEWAY} > Gateway-Cached Volumes"),
        (405, f"{GATEWAY} > Gateway-Stored Volumes"),
        (2729, f"{SQS} > Queue and Message Identifiers > SQS uses 3 identifiers > Receipt handles."),
    ],
)
def test_text_context_joins_sections_and_ancestry(aws_doc: Document, line: int, context: str) -> None:
    assert aws_doc.context(block_at(aws_doc, line)) == context


@pytest.mark.parametrize(
    ("line", "depth", "indent"),
    [(7, 0, 2), (8, 1, 4), (31, 2, 6), (149, 3, 8), (165, 4, 10), (173, 5, 12)],
)
def test_text_indentation_gives_depth(aws_doc: Document, line: int, depth: int, indent: int) -> None:
    raw = aws_doc.line(line)
    assert len(raw) - len(raw.lstrip(" ")) == indent
    assert raw.lstrip(" ").startswith("•")
    assert block_at(aws_doc, line).depth == depth


@pytest.mark.parametrize(("line", "text", "parent_line"), [(19, "- to estimate the latency", 11)])
def test_text_bullet_text_may_start_with_dash(
    aws_doc: Document,
    line: int,
    text: str,
    parent_line: int,
) -> None:
    block = block_at(aws_doc, line)
    assert block.kind == "bullet"
    assert block.text.startswith(text)
    assert aws_doc.blocks[block.parent_id].line_start == parent_line  # type: ignore[index]


# --- tables, key/value runs, code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "start", "end", "section", "first_row"),
    [
        (
            252,
            249,
            258,
            f"{STORAGE} > Amazon Elastic Block Store (EBS) > EBS Volume Types",
            "Magnetic Volume",
        ),
        (114, 114, 129, f"{S3} > S3 Storage Classes", "S3 Standard S3 Standard - Infrequent Access (IA)"),
        (1037, 1036, 1038, f"{VPC} > Sample Security Group", "Inbound Source Protocol Port Range Comments"),
        (1050, 1049, 1054, f"{VPC} > Network ACLs (Access Control Lists)", "Security Group Network ACL"),
        (
            1275,
            1270,
            1281,
            f"{RDS} > Comparison of Operational Responsibilities",
            "Responsibility Database On-Premise",
        ),
    ],
)
def test_text_flattened_table_is_one_block(
    aws_doc: Document, line: int, start: int, end: int, section: str, first_row: str
) -> None:
    block = block_at(aws_doc, line)
    assert (block.kind, block.line_start, block.line_end) == ("table", start, end)
    assert aws_doc.section_path(block.section_id) == section
    assert block.text.splitlines()[0].startswith(first_row)
    assert len(block.text.splitlines()) == end - start + 1


@pytest.mark.parametrize(("line", "raw_prefix"), [(114, "\u00a0 S3 Standard")])
def test_text_nbsp_folded_to_spaces(aws_notes: Path, aws_doc: Document, line: int, raw_prefix: str) -> None:
    raw = aws_notes.read_text(encoding="utf-8").split("\n")[line - 1]
    assert raw.startswith(raw_prefix)
    assert "\u00a0" not in aws_doc.line(line)
    assert aws_doc.line(line).startswith("  S3 Standard")


@pytest.mark.parametrize(
    ("line", "start", "end", "first", "last", "section"),
    [
        (
            687,
            687,
            693,
            "Name: myASG",
            "Load balancers: myELB",
            "Compute and Network Services > Auto Scaling > Auto Scaling Components > Auto Scaling Group",
        ),
        (1585, 1583, 1591, "Id = 101", None, "Database service > Amazon DynamoDB > Data Model"),
    ],
)
def test_text_keyvalue_block(
    aws_doc: Document, line: int, start: int, end: int, first: str, last: str | None, section: str
) -> None:
    block = block_at(aws_doc, line)
    assert (block.kind, block.line_start, block.line_end) == ("keyvalue", start, end)
    lines = block.text.splitlines()
    assert lines[0] == first
    if last is not None:
        assert lines[-1] == last
    assert aws_doc.section_path(block.section_id) == section


@pytest.mark.parametrize(("line", "previous_bullet"), [(694, 686)])
def test_text_keyvalue_block_ends_the_list(aws_doc: Document, line: int, previous_bullet: int) -> None:
    after = block_at(aws_doc, line)
    assert after.kind == "bullet"
    assert after.text.startswith("An Auto Scaling group can use either On-Demand")
    assert (after.depth, after.parent_id) == (0, None)
    assert block_at(aws_doc, previous_bullet).depth == 1


@pytest.mark.parametrize(
    ("line", "start", "end", "first", "section"),
    [
        (
            2215,
            2211,
            2219,
            '"Version": "2012–10–17",',
            "Security and Identity > AWS Identity and Access Manager (IAM) > (untitled)",
        ),
        (2770, 2768, 2775, '"Version": "2012&#x02013;10–17",', f"{SQS} > Access Control"),
    ],
)
def test_text_json_policy_is_code(
    aws_doc: Document,
    line: int,
    start: int,
    end: int,
    first: str,
    section: str,
) -> None:
    block = block_at(aws_doc, line)
    assert (block.kind, block.line_start, block.line_end) == ("code", start, end)
    assert block.text.splitlines()[0] == first
    assert all(aws_doc.line(n).startswith("\t") for n in range(start, end + 1))
    assert aws_doc.section_path(block.section_id) == section
    # The bullet just above the snippet keeps its own one-line span.
    above = block_at(aws_doc, start - 1)
    assert (above.kind, above.line_end) == ("bullet", start - 1)


# --- headings and sections -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "title", "level", "path"),
    [
        (25, STORAGE, 1, STORAGE),
        (435, "Compute and Network Services", 1, "Compute and Network Services"),
        (2079, "Security and Identity", 1, "Security and Identity"),
        (46, "S3 (Simple Storage Service)", 2, S3),
        (222, "Amazon Glacier", 2, f"{STORAGE} > Amazon Glacier"),
        (2676, "Amazon Simple Queue Service (SQS)", 2, SQS),
        (48, "S3 Overview", 3, f"{S3} > S3 Overview"),
        (2713, "Queue and Message Identifiers", 3, f"{SQS} > Queue and Message Identifiers"),
        (368, "Use Cases", 3, f"{STORAGE} > Amazon CloudFront > Use Cases"),
        (370, "Good Use Cases", 4, f"{STORAGE} > Amazon CloudFront > Use Cases > Good Use Cases"),
        (
            679,
            "Auto Scaling Group",
            4,
            "Compute and Network Services > Auto Scaling > Auto Scaling Components > Auto Scaling Group",
        ),
    ],
)
def test_text_heading_levels(aws_doc: Document, line: int, title: str, level: int, path: str) -> None:
    heading = block_at(aws_doc, line)
    assert (heading.kind, heading.text, heading.line_start, heading.line_end) == (
        "heading",
        title,
        line,
        line,
    )
    section = aws_doc.sections[heading.section_id]
    assert (section.title, section.level, section.line) == (title, level, line)
    assert aws_doc.section_path(section.id) == path


@pytest.mark.parametrize(
    ("line", "parent_path", "not_under"),
    [
        (767, f"{ELB} > Types of Load Balancers", "HTTPS Load Balancers"),
        (901, VPC, "AWS Virtual Private Cloud (VPC)"),
        (2901, "Application Services > AWS Import/Export", "Use Cases"),
        (1737, "Database service > Amazon DynamoDB > Writing and Reading Data", "Scaling and Partitioning"),
    ],
)
def test_text_lost_heading_opens_untitled_section(
    aws_doc: Document, line: int, parent_path: str, not_under: str
) -> None:
    assert aws_doc.line(line - 1) == aws_doc.line(line - 2) == ""
    block = block_at(aws_doc, line)
    section = aws_doc.sections[block.section_id]
    assert (section.title, section.line) == ("", line)
    assert section.parent_id is not None
    assert aws_doc.section_path(section.parent_id) == parent_path
    assert aws_doc.section_path(section.id) == f"{parent_path} > (untitled)"
    # The previous section's content stops before the lost heading.
    previous = block_at(aws_doc, line - 3)
    assert aws_doc.sections[previous.section_id].title == not_under
    assert previous.section_id != block.section_id


@pytest.mark.parametrize(("line", "title"), [(438, "Instance Types")])
def test_text_two_blank_lines_after_heading_open_no_untitled_section(
    aws_doc: Document,
    line: int,
    title: str,
) -> None:
    assert aws_doc.line(line - 1) == aws_doc.line(line - 2) == ""
    assert block_at(aws_doc, line - 3).kind == "heading"
    section = aws_doc.sections[block_at(aws_doc, line + 2).section_id]
    assert section.title == title


@pytest.mark.parametrize("count", [12])
def test_text_bundled_notes_untitled_section_count(aws_doc: Document, count: int) -> None:
    untitled = [s for s in aws_doc.sections if s.level > 0 and not s.title]
    assert len(untitled) == count
    for section in untitled:
        assert aws_doc.line(section.line - 1) == aws_doc.line(section.line - 2) == ""


# --- small inline cases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Topic\n\n  - dash\n    - sub dash\n  1. one\n    2) two\n",
            [
                ("heading", 1, 0, None, False),
                ("bullet", 3, 0, None, False),
                ("bullet", 4, 1, 1, False),
                ("bullet", 5, 0, None, True),
                ("bullet", 6, 1, 3, True),
            ],
        ),
        (
            "Topic\n\n  • a\n    ▪ b\n      ◦ c\n  • d\n",
            [
                ("heading", 1, 0, None, False),
                ("bullet", 3, 0, None, False),
                ("bullet", 4, 1, 1, False),
                ("bullet", 5, 2, 2, False),
                ("bullet", 6, 0, None, False),
            ],
        ),
        (
            "Topic\n\n\u00a0\u00a0• nbsp item\n\u00a0\u00a0\u00a0\u00a0• nbsp sub\n",
            [("heading", 1, 0, None, False), ("bullet", 3, 0, None, False), ("bullet", 4, 1, 1, False)],
        ),
    ],
)
def test_text_bullet_markers_and_indentation(
    text: str,
    expected: list[tuple[str, int, int, int | None, bool]],
) -> None:
    doc = parse_string(text, "n.txt", fmt="text", is_service_title=service_titles)
    assert [(b.kind, b.line_start, b.depth, b.parent_id, b.ordered) for b in doc.blocks] == expected


@pytest.mark.parametrize(
    ("text", "span", "joined"),
    [("Topic\n\n  • item wraps\n      onto this line\n", (3, 4), "item wraps onto this line")],
)
def test_text_wrapped_bullet_continues(text: str, span: tuple[int, int], joined: str) -> None:
    doc = parse_string(text, "n.txt", fmt="text", is_service_title=service_titles)
    bullet = doc.blocks[-1]
    assert (bullet.kind, bullet.line_start, bullet.line_end, bullet.text) == ("bullet", *span, joined)


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        (
            "Storage Services\n\nAmazon S3\n\nOverview\n\n  • a\n\nDetails\n\n  • b\n",
            [("Storage Services", 1), ("Amazon S3", 2), ("Overview", 3), ("Details", 3)],
        ),
        (
            "Amazon S3\n\nUse Cases\n\nGood Use Cases\n\n  • a\n",
            [("Amazon S3", 2), ("Use Cases", 3), ("Good Use Cases", 4)],
        ),
        ("Overview\n\n  • a\n\nAmazon SQS\n\n  • b\n", [("Overview", 3), ("Amazon SQS", 2)]),
    ],
)
def test_text_service_headings_level_two_topics_three(text: str, levels: list[tuple[str, int]]) -> None:
    doc = parse_string(text, "n.txt", fmt="text", is_service_title=service_titles)
    assert [(s.title, s.level) for s in doc.sections[1:]] == levels


@pytest.mark.parametrize(
    ("text", "untitled_line"),
    [
        ("Amazon S3\n\n  • a\n\n\n  • lost heading content\n", 6),
        ("Amazon S3\n\n  • a\n\n\n\nProse after three blank lines.\n", 7),
    ],
)
def test_text_two_blank_lines_open_untitled_section(text: str, untitled_line: int) -> None:
    doc = parse_string(text, "n.txt", fmt="text", is_service_title=service_titles)
    last = doc.blocks[-1]
    section = doc.sections[last.section_id]
    assert (section.title, section.line) == ("", untitled_line)
    assert doc.section_path(last.section_id) == "Amazon S3 > (untitled)"
    assert doc.blocks[-2].section_id != last.section_id


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("Topic\n\nName: x\nSize: 3\nZone = a\n", "keyvalue", (3, 5)),
        ('Topic\n\n\t"Version": "1",\n\t"Statement": [\n', "code", (3, 4)),
        ("Topic\n\n  A B C\nr1 1 2\nr2 3 4\n", "table", (3, 5)),
        ("Topic\n\nDestination Gateway Local nat-0a1b2c3d\n", "table", (3, 3)),
        ("Topic\n\nAttach the gateway nat-0a1b2c3d to the subnet.\n", "paragraph", (3, 3)),
        (
            "Topic\n\nA long prose sentence that runs on and on for many characters before it wraps,\n"
            "and continues here on the next line of the page.\n",
            "paragraph",
            (3, 4),
        ),
    ],
)
def test_text_plain_runs_by_kind(text: str, kind: str, span: tuple[int, int]) -> None:
    doc = parse_string(text, "n.txt", fmt="text", is_service_title=service_titles)
    block = doc.blocks[-1]
    assert (block.kind, block.line_start, block.line_end) == (kind, *span)


@pytest.mark.parametrize("lines", [["Amazon S3", "", "  • Max object size = 5TB", "    • per object"]])
def test_text_parse_rendered_text_defaults_to_no_services(lines: list[str]) -> None:
    doc = parse_rendered_text(lines, "n.txt")
    assert doc.sections[1].level == 3
    assert [b.depth for b in doc.blocks] == [0, 0, 1]


def test_text_brief_service_heading_among_topics_is_a_topic(aws_doc: Document) -> None:
    # the page lost its EC2 heading: "VM Import/Export" (two bullets) sits among EC2's topics, and
    # the topics after it ("Instance Tags") are not nested under it
    tags = block_at(aws_doc, 554)
    assert aws_doc.section_path(tags.section_id) == "Compute and Network Services > Instance Tags"
    vm = next(s for s in aws_doc.sections if s.title == "VM Import/Export")
    cloudformation = next(s for s in aws_doc.sections if s.title == "AWS CloudFormation")
    assert (vm.level, cloudformation.level) == (3, 2)  # a service heading with its own long section stays
