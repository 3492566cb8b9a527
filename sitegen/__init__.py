"""sitegen: a static site generator for a curated reading list of research papers."""

from __future__ import annotations

__version__ = "0.1.0"
