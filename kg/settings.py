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
    """A named setting with a default, a type and a one-line help."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "KG_" + self.name.upper()

    def parse(self, raw: str) -> Any:
        """Convert an environment string to this setting's type."""
        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, float):
            return float(raw)
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("store", ".kg-store", "Folder of the store that `kg` commands read and `kg ingest` writes."),
    Setting("top_k", 5, "Citations returned with an answer."),
    Setting("retrieve_k", 30, "Passages each retriever (BM25, dense) returns before fusion."),
    Setting("rrf_k", 60, "Reciprocal-rank-fusion constant: larger flattens the ranks."),
    Setting(
        "entity_boost",
        0.5,
        "Boost, in first-rank RRF units, for passages about an entity the question names.",
    ),
    Setting("fact_boost", 1.0, "Boost, in first-rank RRF units, for passages a matched fact was read from."),
    Setting(
        "abstain_threshold",
        0.34,
        "Minimum dense similarity of the best passage below which `kg ask` abstains.",
    ),
    Setting("link_min_score", 84.0, "Minimum fuzzy score (0-100) for a question phrase to link to a service name."),
    Setting("encode_batch_size", 64, "Passages encoded per batch when building the dense index."),
    Setting("sparql_timeout", 10.0, "Seconds a SPARQL query may run in the app and the HTTP endpoint."),
    Setting("sparql_row_cap", 10000, "Most rows a SPARQL query returns in the app and the HTTP endpoint."),
    Setting("max_file_mb", 200, "Largest notes file `kg ingest` accepts, in MB."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """Return a setting's value: its environment variable if set, else its default.

    Raises:
        KeyError: ``name`` is not a declared setting.
    """
    setting = SETTINGS_BY_NAME[name]
    raw = os.environ.get(setting.env)
    return setting.default if raw in (None, "") else setting.parse(raw)
