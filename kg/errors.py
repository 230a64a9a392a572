"""Every error notes-kg raises on purpose, under one root.

    KGError                 anything notes-kg reports to a user
    ├── IngestError         a notes file could not be read into the graph
    │   └── ParseError      the file is missing, empty, binary or not UTF-8
    ├── OntologyError       the vocabulary, shapes or service catalog are inconsistent
    ├── StoreError          a store is missing, of another format version, or could not be written
    │   └── GraphServerError    the graph server does not answer, refuses the credentials, or fails
    │       └── GraphTimeout    the graph server took longer than allowed
    └── QueryError          a SPARQL query is malformed, not read-only, or timed out

Messages are one line and say what to do next, e.g.
``store format 1 is older than 2: run `kg ingest` again``.
"""

from __future__ import annotations

from pathlib import Path


class KGError(Exception):
    """Root of every error notes-kg raises for a user to read."""


class IngestError(KGError):
    """A notes file could not be ingested."""


class ParseError(IngestError):
    """A notes file could not be parsed.

    Args:
        source: The file (or name) that failed.
        message: What is wrong and what to do.
        line: The 1-based line where it went wrong, when known.
    """

    def __init__(self, source: str | Path, message: str, line: int | None = None) -> None:
        self.source = str(source)
        self.line = line
        self.reason = message
        where = f"{self.source}:{line}" if line else self.source
        super().__init__(f"{where}: {message}")


class OntologyError(KGError):
    """The ontology, SHACL shapes or service catalog are inconsistent."""


class StoreError(KGError):
    """A store is missing, incompatible, or could not be written."""


class GraphServerError(StoreError):
    """The SPARQL server that keeps the graph does not answer, refuses the credentials, or fails."""


class GraphTimeout(GraphServerError):
    """The graph server took longer than the time allowed for a request."""


class QueryError(KGError):
    """A SPARQL query is malformed, refused (not read-only), or timed out."""
