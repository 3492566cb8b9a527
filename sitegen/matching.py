"""Which paper on disk a dump entry is: the papers already on the list indexed by id, normalised title and
arXiv id, and a dump's entries grouped by paper. Import uses it to update instead of duplicating; the check
uses it to find dumps whose papers were never imported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.content import paper_files, read_text
from sitegen.dumps import Dump, Entry, same_paper
from sitegen.errors import Problem, SitegenError
from sitegen.frontmatter import CARD_FIELDS, ContentProblem, split_front_matter, strip_version
from sitegen.slugs import normalise_title, paper_id


@dataclass(frozen=True)
class Existing:
    """A paper file already on the list, as import needs it to update the file in place."""

    path: Path
    text: str
    sources: tuple[str, ...]  # dump file names already listed
    card: frozenset[str] = frozenset()  # which of CARD_FIELDS the file already gives a value


@dataclass(frozen=True)
class Known:
    """The papers on disk: by id, and the id of each normalised title and arXiv id."""

    by_id: dict[str, Existing]
    id_by_title: dict[str, str]
    id_by_arxiv: dict[str, str]


def existing_papers(papers_dir: Path) -> tuple[Known, set[str]]:
    """Index the papers on disk by id, normalised title and arXiv id; every file must be readable."""
    known = Known({}, {}, {})
    slugs: set[str] = set()
    problems: list[Problem] = []
    for path in paper_files(papers_dir):
        slugs.add(path.stem)
        try:
            text = read_text(path)
            data = split_front_matter(path, text).data
        except ContentProblem as exc:
            problems.append(exc.problem)
            continue
        title = data.get("title")
        pid = str(data.get("id") or (paper_id(title) if isinstance(title, str) else ""))
        sources = data.get("sources") if isinstance(data.get("sources"), list) else []
        names = tuple(s["file"] for s in sources if isinstance(s, dict) and isinstance(s.get("file"), str))
        card = frozenset(k for k in CARD_FIELDS if data.get(k) not in (None, ""))
        known.by_id[pid] = Existing(path, text, names, card)
        if isinstance(title, str):
            known.id_by_title.setdefault(normalise_title(title), pid)
        if isinstance(data.get("arxiv"), str):
            known.id_by_arxiv.setdefault(strip_version(data["arxiv"]), pid)
    if problems:
        hint = "fix these paper files (or run `sitegen check`) before importing"
        raise SitegenError([*problems, Problem(papers_dir, hint)])
    return known, slugs


def group_entries(dumps: Iterable[Dump]) -> list[list[Entry]]:
    """Entries of one paper together (same arXiv id, or same normalised title), in the order papers
    first appear."""
    return same_paper(entry for dump in dumps for entry in dump.entries)


def card_values(entries: Iterable[Entry]) -> dict[str, str]:
    """The arXiv id, published date and code link the entries show (the first that shows each)."""
    found: dict[str, str] = {}
    for entry in entries:
        for key in CARD_FIELDS:
            value = getattr(entry, key)
            if value and key not in found:
                found[key] = value
    return found


def find_existing(known: Known, title: str, arxiv: str | None = None) -> Existing | None:
    """The paper on disk that is this one: same arXiv id, same id, or same normalised title (a curator
    may edit ids and titles)."""
    return (
        (arxiv and known.by_id.get(known.id_by_arxiv.get(arxiv, "")))
        or known.by_id.get(paper_id(title))
        or known.by_id.get(known.id_by_title.get(normalise_title(title), ""))
    ) or None
