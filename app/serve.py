"""Serve the app: ``python app/serve.py [streamlit run options]``; ``kg app`` runs this.

Loading the model and its libraries (torch, transformers, sentence-transformers) takes about five
seconds, most of the wait for a first answer. A thread loads it while the server starts and the
browser connects, so the first session's engine finds it loaded: ``default_encoder`` keeps one per
process and makes a second caller wait for the first instead of loading it twice.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "app" / "streamlit_app.py"

log = logging.getLogger(__name__)


def _load_model() -> None:
    from kg.index.dense import default_encoder

    try:
        default_encoder()
    except Exception:  # the first session loads it again and shows the error to the user
        log.debug("loading the model ahead of the first session failed", exc_info=True)


def main(options: list[str] | None = None) -> None:
    if str(ROOT) not in sys.path:  # run by path, Python puts app/ on the path, not the repository
        sys.path.insert(0, str(ROOT))
    threading.Thread(target=_load_model, name="notes-kg-model", daemon=True).start()
    from streamlit.web import cli

    cli.main(["run", str(SCRIPT), *(sys.argv[1:] if options is None else options)], prog_name="streamlit")


if __name__ == "__main__":
    main()
