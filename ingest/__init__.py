"""Reading notes: parsing (``ingest.parse``) and fact extraction (``ingest.extract``)."""

from __future__ import annotations

from ingest.model import Block, Document, Section

__all__ = ["Block", "Document", "Section"]
