"""Notes as people really write them: excerpts of the real corpora, and the styles of other real notes.

The Terraform and Kubernetes excerpts are copied from ``benchmarks/corpora/`` (MIT, see each SOURCE.md);
the Obsidian, flashcard and GitBook snippets are written here in the style of the notes we measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse import parse_file, parse_string

CORPORA = Path(__file__).resolve().parent.parent / "benchmarks" / "corpora"


def _kinds(text: str, source: str = "n.md") -> list[tuple[str, int, int, str]]:
    document = parse_string(text, source)
    return [(b.kind, b.line_start, b.line_end, b.text) for b in document.blocks]


@pytest.mark.parametrize(("line", "title"), [(4, "Describe default local backend"), (25, "Outline state locking")])
def test_real_details_summary_is_a_heading(line: int, title: str) -> None:
    document = parse_file(CORPORA / "terraform-assoc-arihacks" / "notes" / "manage-state.md")
    section = next(s for s in document.sections if s.line == line)
    assert section.title == title
    assert document.sections[section.parent_id or 0].title == "Objective 7: Implement and maintain state"
    # the <p>, </p> and </details> lines hold no notes
    markup = [b for b in document.blocks if b.text in {"<p>", "</p>", "</details>"}]
    assert markup and all(b.kind == "comment" for b in markup)


@pytest.mark.parametrize(("line", "parent"), [(29, "State Locking")])
def test_real_short_title_line_heads_the_list_below_it(line: int, parent: str) -> None:
    document = parse_file(CORPORA / "terraform-assoc-arihacks" / "notes" / "manage-state.md")
    block = next(b for b in document.blocks if b.line_start == line)
    assert block.parent_id is not None and document.blocks[block.parent_id].text == parent


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        (
            "## Location Types\n\n### 1. Region\n\n- one\n\n### 2. Dual-region\n\n- two\n",
            ["Location Types", "Region", "Dual-region"],
        ),
        ("#### 04-01. Network Policy Question\n\n- text\n", ["Network Policy Question"]),
        ("## 1.19 release notes\n\n- text\n", ["1.19 release notes"]),
    ],
)
def test_real_numbered_headings_lose_their_numbers(text: str, titles: list[str]) -> None:
    assert [s.title for s in parse_string(text, "n.md").sections[1:]] == titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- see [[dev/vim|vim]] and [[neovim]]\n", "see vim and neovim"),
        ("- shells: [[bash]], [[zsh#Config|zsh]]\n", "shells: bash, zsh"),
        ("- diagram\n  > ![[systemd.svg]]\n", "diagram"),
        ("Deployment slot::An instance of an app service.\n", "Deployment slot: An instance of an app service."),
        ("- std::vector is a container\n", "std::vector is a container"),
    ],
)
def test_real_obsidian_links_embeds_and_flashcards(text: str, expected: str) -> None:
    assert _kinds(text)[0][3] == expected


@pytest.mark.parametrize(("text", "body"), [("> [!note] Title\n> callout body\n", "Title callout body")])
def test_real_obsidian_callouts(text: str, body: str) -> None:
    assert _kinds(text) == [("quote", 1, 2, body)]


@pytest.mark.parametrize(
    "text",
    ['{% hint style="info" %}\nSubnets split a network.\n{% endhint %}\n', "<p>\n\nSubnets split a network.\n\n</p>\n"],
)
def test_real_template_and_html_lines_hold_no_notes(text: str) -> None:
    kinds = _kinds(text)
    assert [k for k in kinds if k[0] == "paragraph"] == [
        ("paragraph", kinds[1][1], kinds[1][1], "Subnets split a network.")
    ]
    assert all(k[0] == "comment" for k in kinds if k[0] != "paragraph")


@pytest.mark.parametrize("text", ["\n\n\nJust notes without a title,\nhard-wrapped on two lines.\n"])
def test_real_blank_start_and_no_title(text: str) -> None:
    document = parse_string(text, "n.md")
    assert len(document.sections) == 1
    assert [(b.kind, b.line_start, b.line_end) for b in document.blocks] == [("paragraph", 4, 5)]
    assert document.blocks[0].text == "Just notes without a title, hard-wrapped on two lines."


@pytest.mark.parametrize(("line", "depth"), [(10, 0), (11, 1), (12, 2), (13, 1)])
def test_real_tab_indented_bullets(line: int, depth: int) -> None:
    text = (
        "# Disks\n\n"
        + "\n" * 7
        + "- Storage\n\t- Managed disks\n\t\t- Ultra disks: lowest latency\n\t- Unmanaged\n\t- Snapshots\n"
    )
    document = parse_string(text, "n.md")
    block = next(b for b in document.blocks if b.line_start == line)
    assert block.depth == depth


@pytest.mark.parametrize("name", ["13_deployments.md"])
def test_real_k8s_code_after_a_lead_in_is_code(name: str) -> None:
    document = parse_file(CORPORA / "k8s-cka-damienjburks" / "notes" / name)
    lead = next(b for b in document.blocks if b.text == "Commands for creating and verifying deployments:")
    after = document.blocks[lead.id + 1]
    assert after.kind == "code" and "kubectl create -f deployment-definition.yml" in after.text
