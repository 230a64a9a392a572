"""One table of settings: each declared once, with its default and help.

The CLI (`kg settings`), the app sidebar and the README read from this table; a setting can be
overridden by the environment variable named in its row (``KG_STORE=/tmp/s kg ask ...``).

>>> get("top_k")
5
>>> SETTINGS_BY_NAME["store"].env
'KG_STORE'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    """A named setting with a default, a type, a one-line help and, for numbers, a least value."""

    name: str
    default: Any
    help: str
    minimum: float | None = None

    @property
    def env(self) -> str:
        return "KG_" + self.name.upper()

    def parse(self, raw: str) -> Any:
        """Convert an environment string to this setting's type.

        Raises:
            KGError: The value is not of the setting's type or below its least value.
        """
        from kg.errors import KGError

        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if not isinstance(self.default, int | float):
            return raw
        kind = "a whole number" if isinstance(self.default, int) else "a number"
        try:
            value = int(raw) if isinstance(self.default, int) else float(raw)
        except ValueError:
            raise KGError(
                f"{self.env}={raw!r} is not {kind}: unset it or give {kind} (default {self.default})"
            ) from None
        if self.minimum is not None and value < self.minimum:
            raise KGError(
                f"{self.env}={raw} is below {self.minimum:g}: give at least {self.minimum:g} (default {self.default})"
            )
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting("store", ".kg-store", "Folder of the store that `kg` commands read and `kg ingest` writes."),
    Setting("top_k", 5, "Citations returned with an answer.", 1),
    Setting("retrieve_k", 40, "Passages each retriever (BM25, dense) brings as candidates for the ranker.", 1),
    Setting("link_min_score", 84.0, "Minimum fuzzy score (0-100) for a question phrase to link to a service name.", 0),
    Setting(
        "max_question_chars", 1000, "Longest question `kg ask` answers, in characters (longer ones get an error).", 1
    ),
    Setting("sparql_timeout", 10.0, "Seconds a SPARQL query may run (CLI, app and HTTP endpoint).", 0.01),
    Setting("sparql_row_cap", 10000, "Most rows a SPARQL query returns in the app and the HTTP endpoint.", 1),
    Setting("max_file_mb", 200, "Largest notes file `kg ingest` accepts, in MB.", 1),
    Setting(
        "graph",
        "",
        "SPARQL query endpoint of a graph server that keeps the graph (e.g. http://127.0.0.1:7878/query); "
        "empty: the graph lives in the store folder.",
    ),
    Setting("graph_update", "", "SPARQL 1.1 Update endpoint of the graph server (empty: derived from KG_GRAPH)."),
    Setting(
        "graph_store",
        "",
        "Graph Store HTTP Protocol endpoint of the graph server (empty: derived from KG_GRAPH; "
        "none: writes go through the Update endpoint).",
    ),
    Setting("graph_user", "", "User name for the graph server (HTTP basic, or digest when the server asks for it)."),
    Setting("graph_password", "", "Password of KG_GRAPH_USER (read from the environment only, never stored)."),
    Setting("graph_token", "", "Bearer token for the graph server, instead of a user and password."),
    Setting("graph_timeout", 30.0, "Seconds the graph server may take to answer one request of notes-kg.", 0.1),
    Setting(
        "graph_retries", 3, "Retries, with back-off, of a request the graph server did not take (connection errors).", 0
    ),
    Setting("graph_batch", 50000, "Most triples sent to the graph server in one request while ingesting.", 1),
)

# Settings whose value `kg settings` never prints.
SECRETS = frozenset({"graph_password", "graph_token"})

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """Return a setting's value: its environment variable if set, else its default.

    Raises:
        KeyError: ``name`` is not a declared setting.
    """
    setting = SETTINGS_BY_NAME[name]
    raw = os.environ.get(setting.env)
    return setting.default if raw in (None, "") else setting.parse(raw)
