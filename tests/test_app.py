"""The Streamlit app, page by page, through ``streamlit.testing.v1.AppTest`` over the real AWS store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
APP = REPO / "app" / "streamlit_app.py"
PAGES = {
    "ask": "views/ask.py",
    "sparql": "views/sparql.py",
    "explore": "views/explore.py",
    "compare": "views/compare.py",
    "conflicts": "views/conflicts.py",
}
TIMEOUT = 180  # the first run loads the embedding model

pytestmark = pytest.mark.slow


@pytest.fixture
def app(aws_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("KG_STORE", str(aws_store))
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def open_page(app: AppTest, page: str) -> AppTest:
    return app.switch_page(PAGES[page]).run()


def no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def button(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in app.button if b.label == label)


def htmls(app: AppTest) -> list[str]:
    return [str(getattr(element, "value", "")) for element in app.get("html")]


def run_sparql(app: AppTest, query: str) -> AppTest:
    open_page(app, "sparql")
    app.text_area(key="sparql_editor").input(query)
    return button(app, "Run").click().run()


@pytest.mark.parametrize("page", list(PAGES))
def test_app_page_renders_without_exception(app: AppTest, page: str) -> None:
    open_page(app, page)
    no_exception(app)
    assert not app.error
    assert app.title[0].value


def test_app_sidebar_shows_store_and_settings(app: AppTest, aws_store: Path) -> None:
    no_exception(app)
    assert [s.value for s in app.sidebar.subheader] == ["Store"]
    text = " ".join(m.value for m in app.sidebar.markdown)
    assert "aws-notes.txt" in text and "services" in text and "Built:" in text
    settings = app.sidebar.dataframe[0].value
    assert {"sparql_timeout", "sparql_row_cap", "top_k"} <= set(settings["setting"])
    assert app.sidebar.file_uploader


@pytest.mark.parametrize(("question", "answer", "line"), [("what is the max size of an s3 object?", "5TB", 70)])
def test_app_ask_answers_with_citations(app: AppTest, question: str, answer: str, line: int) -> None:
    app.text_input(key="question").input(question)
    button(app, "Ask").click().run()
    no_exception(app)
    assert any(answer in m.value for m in app.markdown)
    citations = [e.label for e in app.expander if "`aws-notes.txt`" in e.label]
    assert citations and f"line {line} " in citations[0]
    assert any(f"{line}</span>" in html for html in htmls(app))  # the cited line, shown in context
    assert any("SELECT" in c.value and "PREFIX" in c.value for c in app.code)


@pytest.mark.parametrize("question", ["what is the capital of France?"])
def test_app_ask_abstains_with_related_passages(app: AppTest, question: str) -> None:
    app.text_input(key="question").input(question)
    button(app, "Ask").click().run()
    no_exception(app)
    assert app.info and app.info[0].value
    assert any("Related, but not an answer" in m.value for m in app.markdown)


@pytest.mark.parametrize("example", [0])
def test_app_ask_example_and_history(app: AppTest, example: int) -> None:
    pills = app.pills(key="example")
    chosen = pills.options[example]
    pills.select(chosen).run()
    no_exception(app)
    assert app.session_state["history"][0].question == chosen
    assert app.pills(key="example").value is None  # the pill does not stay selected
    app.text_input(key="question").input("what is the max size of an s3 object?")
    button(app, "Ask").click().run()
    assert len(app.session_state["history"]) == 2
    button(app, f"{chosen} (answered)").click().run()  # the history shows an earlier answer again
    assert app.session_state["shown"] == 0


@pytest.mark.parametrize("question", ["what is the max size of an s3 object?"])
def test_app_ask_opens_its_sparql_in_the_sparql_page(app: AppTest, question: str) -> None:
    app.text_input(key="question").input(question)
    button(app, "Ask").click().run()
    button(app, "Open in the SPARQL page").click().run()
    no_exception(app)
    assert "nkg:Limit" in str(app.text_area(key="sparql_editor").value)
    assert app.dataframe and len(app.dataframe[0].value) >= 1


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        (
            "PREFIX nkg: <https://notes-kg.dev/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?service ?label WHERE { ?service a nkg:Service ; skos:prefLabel ?label } ORDER BY ?label",
            "service",
            "Amazon Simple Storage Service",
        ),
    ],
)
def test_app_sparql_query_yields_rows(app: AppTest, query: str, column: str, expected: str) -> None:
    run_sparql(app, query)
    no_exception(app)
    assert not app.error
    frame = app.dataframe[0].value
    assert len(frame) > 10
    # IRIs are shown as labels, linking to their Explore page.
    assert any(cell.endswith(f"#{expected}") and "explore?entity=" in cell for cell in frame[column])
    assert {b.label for b in app.download_button} >= {"Download CSV", "Download JSON"}


@pytest.mark.parametrize("example", ["limits-above-size", "delivers-to-s3"])
def test_app_sparql_example_query_runs(app: AppTest, example: str) -> None:
    open_page(app, "sparql")
    app.selectbox(key="sparql_example").select(example).run()
    no_exception(app)
    assert not app.error
    assert len(app.dataframe[0].value) >= 1


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p }", "SELEC ?s WHERE { ?s ?p ?o }"])
def test_app_sparql_bad_query_shows_error(app: AppTest, query: str) -> None:
    run_sparql(app, query)
    no_exception(app)
    assert app.error and "syntax error" in app.error[0].value
    assert "1:" in app.error[0].value  # the parser's position


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_app_sparql_update_is_refused(app: AppTest, query: str, word: str) -> None:
    run_sparql(app, query)
    no_exception(app)
    assert app.error and app.error[0].value.startswith("refused") and word in app.error[0].value


@pytest.mark.parametrize("cap", [5])
def test_app_sparql_row_cap_is_shown(app: AppTest, cap: int) -> None:
    open_page(app, "sparql")
    app.number_input(key="sparql_row_cap").set_value(cap)
    app.text_area(key="sparql_editor").input("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    button(app, "Run").click().run()
    assert len(app.dataframe[0].value) == cap
    assert any("row cap" in w.value for w in app.warning)


@pytest.mark.parametrize("seconds", [0.01])
def test_app_sparql_time_limit_is_shown(app: AppTest, seconds: float) -> None:
    open_page(app, "sparql")
    app.number_input(key="sparql_timeout").set_value(seconds)
    app.number_input(key="sparql_row_cap").set_value(10**6)
    app.text_area(key="sparql_editor").input("SELECT ?s ?o WHERE { ?s ?p ?o . ?o ?q ?x }")
    button(app, "Run").click().run()
    no_exception(app)
    assert any("time limit" in w.value for w in app.warning)


@pytest.mark.parametrize("search", ["S3", "simple storage"])
def test_app_explore_shows_limits_for_s3(app: AppTest, search: str) -> None:
    open_page(app, "explore")
    app.text_input(key="explore_search").input(search).run()
    no_exception(app)
    assert app.header[0].value == "Amazon Simple Storage Service"
    limits = app.dataframe[0].value
    assert {"attribute", "value", "unit", "kind", "cited"} <= set(limits.columns)
    assert "object size" in set(limits["attribute"]) and "durability" in set(limits["attribute"])
    assert app.get("graphviz_chart")


@pytest.mark.parametrize("entity", ["sqs"])
def test_app_explore_opens_entity_from_query_param(app: AppTest, entity: str) -> None:
    app.query_params["entity"] = entity
    open_page(app, "explore")
    no_exception(app)
    assert app.header[0].value == "Amazon Simple Queue Service"


def test_app_explore_overview_shows_coverage(app: AppTest) -> None:
    open_page(app, "explore")
    no_exception(app)
    assert any(m.label == "Services" for m in app.metric)
    assert any("Lines that produced no fact" in m.value for m in app.markdown)


@pytest.mark.parametrize("title", ["EBS Volume Types"])
def test_app_compare_shows_ebs_volume_types(app: AppTest, title: str) -> None:
    open_page(app, "compare")
    menu = app.selectbox(key="compare_table")
    menu.select_index(next(i for i, label in enumerate(menu.options) if label.startswith(title))).run()
    no_exception(app)
    assert app.subheader[0].value == title
    table = htmls(app)[0]
    for item in ("Magnetic Volume", "General-Purpose SSD", "Provisioned IOPS SSD", "Cold HDD Volumes"):
        assert item in table
    assert "1 GB to 16 TB" in table and "line 253" in table  # each cell cites its line
    assert "aws-notes.txt" in table


@pytest.mark.parametrize(("subject", "cited"), [("S3 object", ["`aws-notes.txt:51`", "`aws-notes.txt:140`"])])
def test_app_conflicts_shows_s3_default_access(app: AppTest, subject: str, cited: list[str]) -> None:
    open_page(app, "conflicts")
    no_exception(app)
    assert any(subject in m.value and "state by default" in m.value for m in app.markdown)
    labels = [e.label for e in app.expander]
    for cite in cited:
        assert any(label.startswith(cite) for label in labels), labels


@pytest.mark.parametrize(("name", "content"), [("broken.md", b"\x00\x01\x02binary"), ("empty.txt", b"")])
def test_app_upload_bad_notes_keeps_the_store(app: AppTest, aws_store: Path, name: str, content: bytes) -> None:
    app.file_uploader[0].upload(name, content, "text/plain").run()
    button(app, "Build a new store").click().run()
    no_exception(app)
    assert app.error and "still loaded" in app.error[0].value
    assert app.session_state["store"] == str(aws_store.resolve())


@pytest.mark.parametrize("name", ["my`notes`_[x](y).md"])
def test_app_upload_name_is_escaped_in_the_sidebar(app: AppTest, name: str) -> None:
    app.file_uploader[0].upload(name, (DATA / "small-notes.md").read_bytes(), "text/markdown").run()
    button(app, "Build a new store").click().run()
    no_exception(app)
    shown = next(m.value for m in app.sidebar.markdown if "notes" in m.value and "\\`" in m.value)
    assert "my\\`notes\\`\\_\\[x\\]\\(y\\).md" in shown


def test_app_upload_builds_and_switches_to_a_new_store(app: AppTest, aws_store: Path) -> None:
    app.file_uploader[0].upload("small-notes.md", (DATA / "small-notes.md").read_bytes(), "text/markdown").run()
    button(app, "Build a new store").click().run()
    no_exception(app)
    current = Path(app.session_state["store"])
    assert current.name.startswith(aws_store.name + ".upload-") and (current / "manifest.json").exists()
    assert any("small-notes.md" in m.value for m in app.sidebar.markdown)
    for page in PAGES:  # every page works on notes it has never seen
        open_page(app, page)
        no_exception(app)
