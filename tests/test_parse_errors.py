"""Bad inputs to `kg ingest`: one clear line on stderr, a non-zero exit, the old store untouched.

Also the inputs that must *not* fail: a UTF-8 BOM, CRLF line endings, and a large file (parsed in
roughly linear time).
"""

from __future__ import annotations

import codecs
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.model import Document
from ingest.parse import decode_notes, parse_file
from kg.cli import main
from kg.errors import IngestError, KGError, ParseError

# name, bytes, what the message says, the line it names (None: no line)
BAD_INPUTS = [
    ("binary.md", bytes(range(256)) * 8, "binary file", None),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary file", None),
    ("empty.txt", b"", "empty", None),
    ("blank.md", b"\n   \n\t\n", "empty", None),
    (
        "latin1.txt",
        "Amazon S3\n\n  - Max object size = 5TB\n  - café\n".encode("latin-1"),
        "not valid UTF-8",
        4,
    ),
    ("latin1.md", "# Notes\n\n- naïve\n".encode("latin-1"), "not valid UTF-8", 3),
    ("bom-latin1.md", codecs.BOM_UTF8 + "# Notes\n\n\n- naïve\n".encode("latin-1"), "not valid UTF-8", 4),
]
BAD_IDS = [name for name, *_ in BAD_INPUTS]
BAD_BY_NAME = {row[0]: row for row in BAD_INPUTS}


def write_bad(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def assert_one_line_error(err: str, names: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kg: error: ")
    assert names in lines[0]
    assert fragment in lines[0]
    assert "Traceback" not in err


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (and the folders beside it) with a hash of its bytes."""
    files = {
        p.relative_to(folder.parent).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }
    files.update({p.name: "" for p in folder.parent.iterdir() if p != folder})
    return files


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory, fake_encoder: object) -> Path:
    from kg.builder import build_store

    notes = tmp_path_factory.mktemp("good-notes") / "s3.md"
    notes.write_text(
        "# Amazon S3\n\n- Amazon S3 is an object storage service.\n- Limits\n  - Max object size = 5 TB\n",
        encoding="utf-8",
    )
    store = tmp_path_factory.mktemp("existing") / "store"
    build_store([notes], store, encoder=fake_encoder)  # type: ignore[arg-type]
    assert (store / "manifest.json").is_file()
    return store


# --- the CLI, in process ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "fragment", "line"), BAD_INPUTS, ids=BAD_IDS)
def test_errors_cli_bad_file_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    fragment: str,
    line: int | None,
) -> None:
    path = write_bad(tmp_path, name, data)
    store = tmp_path / "store"
    status = main(["ingest", str(path), "--store", str(store)])
    captured = capsys.readouterr()
    assert status != 0
    where = f"{path}:{line}:" if line else f"{path}:"
    assert_one_line_error(captured.err, where, fragment)
    assert captured.out == ""
    assert not store.exists()


@pytest.mark.parametrize("name", ["missing.md", "no-such-folder"])
def test_errors_cli_missing_path_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    store = tmp_path / "store"
    status = main(["ingest", str(tmp_path / name), "--store", str(store)])
    captured = capsys.readouterr()
    assert status != 0
    assert_one_line_error(captured.err, name, "no such file or folder")
    assert not store.exists()


@pytest.mark.parametrize(
    ("name", "data", "fragment", "line"),
    [BAD_BY_NAME["binary.md"], BAD_BY_NAME["latin1.txt"]],
    ids=["binary", "latin1"],
)
def test_errors_cli_bad_file_inside_folder(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    fragment: str,
    line: int | None,
) -> None:
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.md").write_text("# Good\n\n- Max 5 TB per object\n", encoding="utf-8")
    path = write_bad(folder / "sub", name, data)
    status = main(["ingest", str(folder), "--store", str(tmp_path / "store")])
    captured = capsys.readouterr()
    assert status != 0
    assert_one_line_error(captured.err, f"sub/{name}", fragment)
    assert (f"{path}:{line}:" if line else str(path)) in captured.err


@pytest.mark.parametrize(("name", "data", "fragment", "line"), [BAD_BY_NAME["latin1.txt"]], ids=["latin1"])
def test_errors_cli_debug_shows_the_exception(
    tmp_path: Path, name: str, data: bytes, fragment: str, line: int | None
) -> None:
    path = write_bad(tmp_path, name, data)
    with pytest.raises(ParseError) as caught:
        main(["--debug", "ingest", str(path), "--store", str(tmp_path / "store")])
    assert caught.value.line == line
    assert fragment in caught.value.reason
    assert isinstance(caught.value, IngestError) and isinstance(caught.value, KGError)


# --- the CLI, as a real process -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[sys.executable, "-m", "kg.cli"], [str(Path(sys.executable).with_name("kg"))]],
    ids=["python-m", "console-script"],
)
def test_errors_cli_subprocess_exit_status_and_stderr(tmp_path: Path, command: list[str]) -> None:
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed")
    path = write_bad(tmp_path, "latin1.md", "# Notes\n\n- naïve\n".encode("latin-1"))
    result = subprocess.run(
        [*command, "ingest", str(path), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert_one_line_error(result.stderr, f"{path}:3:", "not valid UTF-8")
    assert result.stdout == ""
    assert not (tmp_path / "store").exists()


# --- a failed ingest leaves the existing store whole --------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "fragment", "line"), BAD_INPUTS, ids=BAD_IDS)
def test_errors_failed_ingest_leaves_store_untouched(
    built_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    fragment: str,
    line: int | None,
) -> None:
    manifest = (built_store / "manifest.json").read_bytes()
    before = snapshot(built_store)
    good = tmp_path / "good.md"
    good.write_text("# Amazon SQS\n\n- Max message size = 256 KB\n", encoding="utf-8")
    bad = write_bad(tmp_path, name, data)
    status = main(["ingest", str(good), str(bad), "--store", str(built_store)])
    captured = capsys.readouterr()
    assert status != 0
    assert_one_line_error(captured.err, name, fragment)
    assert (built_store / "manifest.json").read_bytes() == manifest
    assert snapshot(built_store) == before


@pytest.mark.parametrize("missing", ["gone.md"])
def test_errors_missing_path_leaves_store_untouched(
    built_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    before = snapshot(built_store)
    status = main(["ingest", str(tmp_path / missing), "--store", str(built_store)])
    assert status != 0
    assert_one_line_error(capsys.readouterr().err, missing, "no such file or folder")
    assert snapshot(built_store) == before


# --- inputs that must parse ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "first_kind", "first_text"),
    [
        ("bom.md", "# Notes\n\n- Max 5 TB\n", "heading", "Notes"),
        ("bom.txt", "Amazon S3\n\n  • Max object size = 5TB\n", "heading", "Amazon S3"),
    ],
)
def test_errors_utf8_bom_parses(
    tmp_path: Path,
    name: str,
    text: str,
    first_kind: str,
    first_text: str,
) -> None:
    path = tmp_path / name
    data = codecs.BOM_UTF8 + text.encode("utf-8")
    path.write_bytes(data)
    doc = parse_file(path)
    assert "\ufeff" not in "".join(doc.lines)
    first = doc.blocks[0]
    assert (first.kind, first.text, first.line_start) == (first_kind, first_text, 1)
    assert doc.blocks[-1].line_start == 3
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert decode_notes(data, path) == text


def _spans(doc: Document) -> list[tuple[str, int, int, int, str, str]]:
    spans = []
    for b in doc.blocks:
        spans.append((b.kind, b.line_start, b.line_end, b.depth, b.text, doc.section_path(b.section_id)))
    return spans


@pytest.mark.parametrize(
    "source", ["data/notes/aws-notes.txt", "tests/data/azure-notes.md", "tests/data/edge-cases.md"]
)
def test_errors_crlf_file_parses_with_same_line_numbers(repo: Path, tmp_path: Path, source: str) -> None:
    original = repo / source
    data = original.read_bytes()
    crlf = tmp_path / original.name
    crlf.write_bytes(data.replace(b"\n", b"\r\n"))
    lf_doc, crlf_doc = parse_file(original), parse_file(crlf)
    assert crlf_doc.format == lf_doc.format
    assert crlf_doc.lines == lf_doc.lines
    assert _spans(crlf_doc) == _spans(lf_doc)
    assert [(s.title, s.level, s.line) for s in crlf_doc.sections] == [
        (s.title, s.level, s.line) for s in lf_doc.sections
    ]


# --- large files ------------------------------------------------------------------------------------------

# Realistic line lengths (the bundled notes average about 100 bytes a line).
TEXT_UNIT = """Amazon Service {i}

  • Service {i} is a fully managed service that stores any amount of data for any workload
    • Max object size = {i} TB per object; larger uploads must use the multipart upload API
      • Each part can be between 5 MB and 5 GB, and the last part of an upload may be smaller
  • Limits that apply to every account in every region unless you ask support to raise them
    • Max {i} buckets per account, a soft limit that AWS support can raise for your account.
Name: item{i} with a longer value that reads like a configuration line from the notes
Availability Zones: us-east-1a and us-east-1c, spread for higher availability of item{i}

Topic {i} Details

  Magnetic Volume General-Purpose SSD Provisioned IOPS SSD Throughput-Optimized HDD
Volume Size 1 GB to 1 TB 1 GB to {i} TB 4 GB to 16 TB up to 16 TB Max 16 TB for every type
Max throughput 40 - 90 MB 160 MB 320 MB 500 MB/s 250 MB/s for volumes of the largest sizes

	"Version": "2012-10-17", "Statement": [ {{ "Effect": "Allow", "Action": "s3:GetObject" }}
	"Resource": "arn:aws:s3:::bucket-{i}/*", "Condition": {{ "IpAddress": {{ "aws:SourceIp": "" }} }}


  • Content after a lost heading {i}: it opens an untitled section of its own in the notes

"""

MARKDOWN_UNIT = """## Service {i}

- Service {i} is a fully managed service that stores any amount of data for any workload.
  - Max object size = {i} TB per object; larger uploads must use the multipart upload API.
    1. Each part can be between 5 MB and 5 GB, and the last part of an upload may be smaller.

| Option | Copies of data | Where the copies live | Durability (per year) |
|---|---|---|---|
| a{i} | 3 | One datacenter in the primary region<br>+ one in the paired region | 11 nines |

```json
{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Resource": "arn:aws:s3:::b-{i}/*"}}]}}
```

> **Note:** a quote about service {i} that wraps onto a second line of the blockquote
> and ends here, as study notes often do when they copy a tip from the documentation.

<!-- TODO: check the limits of service {i} against the documentation before the exam -->

---

"""


def _generate(path: Path, unit: str, megabytes: int) -> int:
    target = megabytes * 1_000_000
    size = 0
    with path.open("w", encoding="utf-8") as out:
        i = 0
        while size < target:
            chunk = "".join(unit.format(i=i + k) for k in range(500))
            out.write(chunk)
            size += len(chunk.encode("utf-8"))
            i += 500
    return size


def _parse_seconds(path: Path) -> tuple[float, Document]:
    start = time.perf_counter()
    doc = parse_file(path)
    return time.perf_counter() - start, doc


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suffix", "unit"),
    [(".txt", TEXT_UNIT), (".md", MARKDOWN_UNIT)],
    ids=["text", "markdown"],
)
def test_errors_large_file_parses_in_linear_time(tmp_path: Path, suffix: str, unit: str) -> None:
    small, large = tmp_path / f"small{suffix}", tmp_path / f"large{suffix}"
    _generate(small, unit, 5)
    size = _generate(large, unit, 50)
    assert size >= 50_000_000
    small_seconds, small_doc = _parse_seconds(small)
    del small_doc
    large_seconds, large_doc = _parse_seconds(large)
    assert len(large_doc.lines) == large.read_bytes().count(b"\n")
    assert large_doc.blocks[-1].line_end <= len(large_doc.lines)
    ratio = large_seconds / max(small_seconds, 1e-3)
    assert ratio < 20, f"5 MB: {small_seconds:.2f}s, 50 MB: {large_seconds:.2f}s (x{ratio:.1f})"
