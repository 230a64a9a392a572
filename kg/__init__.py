"""notes-kg: a knowledge graph and semantic search over technical study notes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("notes-kg")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"
