"""One question end to end in a real browser: `streamlit run` the app, drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app" / "streamlit_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app_url(aws_store: Path, tmp_path: Path) -> Iterator[str]:
    """The app served by `streamlit run` on a free local port, stopped after the test."""
    port = _free_port()
    env = dict(os.environ, KG_STORE=str(aws_store), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    with open(tmp_path / "streamlit.log", "wb") as log:
        server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                assert server.poll() is None, (tmp_path / "streamlit.log").read_text()
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    assert time.monotonic() < deadline, "the app did not start within 90 s"
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.mark.parametrize(("question", "answer", "line"), [("what is the max size of an s3 object?", "5 TB", 70)])
def test_browser_question_answered_with_citation(
    app_url: str, tmp_path: Path, question: str, answer: str, line: int
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 1000})
            page.goto(app_url)
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
        finally:
            browser.close()
    assert (tmp_path / "ask.png").stat().st_size > 10_000
