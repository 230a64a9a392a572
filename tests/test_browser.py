"""One question end to end in a real browser: serve the app as `kg app` does, drive Chromium with Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks.screenshots import CHROMIUM, app_server, launch

pytestmark = pytest.mark.browser


@pytest.fixture
def app_url(aws_store: Path, tmp_path: Path) -> Iterator[str]:
    """The app served as `kg app` serves it on a free local port, stopped after the test."""
    with app_server(aws_store, log_file=tmp_path / "streamlit.log") as url:
        yield url


@contextmanager
def _page(url: str) -> Iterator[Any]:
    """A Chromium page opened at ``url`` (the browser closed after)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 1000})
            page.goto(url)
            yield page
        finally:
            browser.close()


@pytest.mark.parametrize(("question", "answer", "line"), [("what is the max size of an s3 object?", "5TB", 70)])
def test_browser_question_answered_with_citation(
    app_url: str, tmp_path: Path, question: str, answer: str, line: int
) -> None:
    from playwright.sync_api import expect

    with _page(app_url) as page:
        box = page.get_by_label("Question")
        box.wait_for(timeout=120_000)
        box.fill(question)
        box.press("Enter")
        answer_box = page.get_by_text(re.compile(rf"^{re.escape(answer)}")).first
        expect(answer_box).to_be_visible(timeout=120_000)
        first_citation = page.locator("[data-testid='stMain'] [data-testid='stExpander'] summary").first
        expect(first_citation).to_contain_text(f"line {line}")
        expect(page.get_by_text(re.compile(rf"^{line}$")).first).to_be_visible()  # the cited line, in context
        page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
    assert (tmp_path / "ask.png").stat().st_size > 10_000


@pytest.mark.parametrize(("value", "line"), [("world-readable", 51)])
def test_browser_contradictions_page_cites_both_statements(app_url: str, value: str, line: int) -> None:
    from playwright.sync_api import expect

    with _page(f"{app_url}/conflicts") as page:
        expect(page.get_by_role("heading", name="Contradictions")).to_be_visible(timeout=120_000)
        statement = page.locator("[data-testid='stExpander'] summary", has_text=f"aws-notes.txt:{line}").first
        expect(statement).to_be_visible(timeout=120_000)
        expect(statement).to_contain_text(value)
        statement.click()
        expect(page.get_by_text(re.compile(rf"^{line}$")).first).to_be_visible()  # the line, in context
        expect(page.locator("[data-testid='stExpander'] summary", has_text="private").first).to_be_visible()
