"""Screenshots of every page of the app, taken in Debian's Chromium through Playwright (`make screenshots`).

    python -m benchmarks.screenshots --store .kg-store [--out docs/screenshots]

Serves the app as `kg app` does (`app/serve.py`) on a free port, asks a question, runs a SPARQL query,
opens S3 in Explore and the EBS volume types in Compare, and writes one PNG per page. It also
prints two figures: the time from starting the server process to the first answer on screen, and
the answer latency on a warm engine (as the app measures it, and as the browser sees it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SERVE = REPO / "app" / "serve.py"  # what `kg app` runs: `streamlit run` with the model loading early
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "what is the max size of an s3 object?"
WARM_QUESTION = "how many buckets can one account have?"
VIEWPORT = {"width": 1360, "height": 900}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def app_server(store: Path, port: int | None = None, log_file: Path | None = None) -> Iterator[str]:
    """Run the app on 127.0.0.1 until the block ends; yield its URL once it answers health checks."""
    port = port or free_port()
    env = dict(
        os.environ,
        KG_STORE=str(store),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    command = [
        sys.executable,
        str(SERVE),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    output = open(log_file, "wb") if log_file else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_file:
            output.close()  # type: ignore[union-attr]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app at {url} was not ready after {timeout:.0f} s")


def launch(playwright: Any) -> Any:
    """Debian's Chromium (never a downloaded one)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def settle(page: Any, timeout: float = 60_000) -> None:
    """Wait until the script run is over (Streamlit's status widget is gone) and the page is drawn."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')",
        timeout=timeout,
    )
    page.wait_for_timeout(400)


def ask(page: Any, question: str, timeout: float = 120_000) -> str:
    """Type a question, press Enter, and return the caption that says how long answering took."""
    box = page.get_by_label("Question")
    box.wait_for(timeout=timeout)
    box.fill(question)
    box.press("Enter")
    heading = page.locator("h5", has_text=question)
    heading.wait_for(timeout=timeout)
    settle(page, timeout)
    caption = page.get_by_text(re.compile(r"^Answered in \d+ ms"))
    return str(caption.first.inner_text()) if caption.count() else ""


def screenshot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls its main block, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(int(height) + 40, 4000))})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def comparison_id(store: Path, title: str) -> str:
    """The id (last IRI segment) of the store's comparison titled ``title``, else of its largest one."""
    from kg import facts
    from kg.store import KnowledgeStore

    found = facts.comparisons(KnowledgeStore(store).graph)
    chosen = [c for c in found if c["title"] == title] or sorted(found, key=lambda c: -len(c["cells"]))
    return str(chosen[0]["iri"]).rsplit("/", 1)[-1] if chosen else ""


def take(store: Path, out: Path) -> dict[str, float]:
    """Write ask.png, sparql.png, explore.png and compare.png into ``out``; return the measured figures."""
    from playwright.sync_api import sync_playwright

    figures: dict[str, float] = {}
    started = time.perf_counter()
    with (
        app_server(store, log_file=Path(tempfile.gettempdir()) / "notes-kg-screenshots.log") as url,
        sync_playwright() as playwright,
    ):
        figures["server_ready_s"] = time.perf_counter() - started
        browser = launch(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        ask(page, QUESTION)
        page.get_by_text("5 TB").first.wait_for()
        figures["first_answer_s"] = time.perf_counter() - started

        before = time.perf_counter()
        caption = ask(page, WARM_QUESTION)
        figures["warm_answer_browser_ms"] = 1000 * (time.perf_counter() - before)
        match = re.search(r"(\d+) ms", caption)
        figures["warm_answer_engine_ms"] = float(match.group(1)) if match else -1.0
        ask(page, QUESTION)
        screenshot(page, out / "ask.png")

        page.goto(f"{url}/sparql")
        page.get_by_role("button", name="Run").click()
        page.get_by_text(re.compile(r"^\d+ rows? in \d+ ms")).wait_for()
        settle(page)
        screenshot(page, out / "sparql.png")

        page.goto(f"{url}/explore?entity=s3")
        page.get_by_role("heading", name="Amazon Simple Storage Service").wait_for()
        page.locator("[data-testid='stGraphVizChart'] svg").first.wait_for()
        settle(page)
        screenshot(page, out / "explore.png")

        page.goto(f"{url}/compare?comparison={comparison_id(store, 'EBS Volume Types')}")
        page.get_by_text("Magnetic Volume").first.wait_for()
        settle(page)
        screenshot(page, out / "compare.png")
        browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path(os.environ.get("KG_STORE", ".kg-store")))
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--json", action="store_true", help="print the measured figures as one JSON line")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)", file=sys.stderr)
        return 1
    from kg.errors import KGError
    from kg.store.manifest import Manifest

    try:
        Manifest.read(args.store)
    except KGError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    figures = take(args.store.resolve(), args.out)
    if args.json:
        print(json.dumps(figures))
        return 0
    for name in ("ask", "sparql", "explore", "compare"):
        print(f"wrote {args.out / (name + '.png')}")
    print(
        f"server ready {figures['server_ready_s']:.1f} s; first answer on screen "
        f"{figures['first_answer_s']:.1f} s after process start; warm answer "
        f"{figures['warm_answer_engine_ms']:.0f} ms in the engine, {figures['warm_answer_browser_ms']:.0f} ms "
        "from Enter to the answer drawn"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
