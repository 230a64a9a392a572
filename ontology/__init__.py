"""The notes-kg vocabulary (Turtle), its SHACL shapes, the service catalog, and their Python face."""

from __future__ import annotations

from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent
VOCABULARY_TTL = ONTOLOGY_DIR / "notes_kg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
