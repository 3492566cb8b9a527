"""The data behind the reader's reading list (static/mylist.js, the /my/ page), as scripts (a <script> tag
loads them, so file:// works): every visible paper's title and theme and each theme's size, which the page
shows; and every paper's BibTeX entry, loaded only for an export."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sitegen.cite import bibtex_entry, paper_citation
from sitegen.model import Site
from sitegen.render import PaperView

DATA_FILE = "my/papers.js"
BIBTEX_FILE = "my/bibtex.js"


def citations_bib(site: Site) -> bytes:
    """``papers.bib``: every visible paper's entry, in site order."""
    config = site.config
    entries = (bibtex_entry(paper_citation(p, config.site_url, config.base_path)) for p in site.papers)
    return "\n".join(entries).encode("utf-8")


def list_data(site: Site, views: Mapping[str, PaperView]) -> bytes:
    data = {
        "themes": [[t.slug, t.title, len(site.by_theme[t.slug])] for t in site.themes],
        "papers": {p.slug: [views[p.slug].title_text, p.theme] for p in site.papers},
    }
    return _script("sitegenList", data)


def bibtex_data(site: Site) -> bytes:
    config = site.config
    return _script(
        "sitegenBibtex",
        {p.slug: bibtex_entry(paper_citation(p, config.site_url, config.base_path)) for p in site.papers},
    )


def _script(name: str, data: object) -> bytes:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" as an escape: the data never closes a <script> element, even if someone inlines the file.
    text = text.replace("<", "\\u003c")
    return f"self.{name}={text};\n".encode()
