"""The import stage: dumps -> one Markdown file per paper under ``content/papers/<theme>/<slug>.md``.

Planning is pure (what would change, as whole file texts); applying writes every file or none
(``sitegen.journal``). Papers already on disk are recognised by ``sitegen.matching``.
Curators own the files once written: re-import only adds new papers and new ``sources`` entries,
matching existing papers by ``id`` (or normalised title) wherever a curator moved them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitegen.dumps import Dump, Entry, parse_dump, read_dump
from sitegen.errors import Problem, SitegenError
from sitegen.frontmatter import (
    CARD_FIELDS,
    ContentProblem,
    Source,
    dump_yaml,
    format_paper,
)
from sitegen.journal import apply_plan, finish_interrupted
from sitegen.learn import CLASSIFIED, Filer
from sitegen.markup import escape_markdown
from sitegen.matching import card_values, existing_papers, find_existing, group_entries
from sitegen.slugs import paper_id, unique_slug
from sitegen.themes import UNSORTED, Theme, load_themes, review_threshold


@dataclass(frozen=True)
class FileChange:
    path: Path
    text: str
    kind: str  # "new" or "updated"
    detail: str
    review: str = ""  # why a reviewer should look at this new paper's theme ("" when filed confidently)


@dataclass(frozen=True)
class ImportPlan:
    dumps: int
    entries: int
    unique: int
    changes: tuple[FileChange, ...]
    unchanged: int
    warnings: tuple[Problem, ...]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def read_dumps(paths: Sequence[Path]) -> list[Dump]:
    """Parse every dump; a dump that cannot be read, or whose papers could not be found in it, fails the
    whole import, with every such file named."""
    dumps: list[Dump] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.is_file():
            problems.append(Problem(path, "no such dump file"))
            continue
        try:
            dump = read_dump(path)
        except ContentProblem as exc:
            problems.append(exc.problem)
            continue
        dumps.append(dump)
        problems += dump.errors
    if problems:
        raise SitegenError(problems)
    return dumps


def _sources(entries: Iterable[Entry]) -> list[Source]:
    seen: dict[str, Source] = {}
    for e in entries:
        seen.setdefault(e.file, Source(e.file, e.date))
    return list(seen.values())


def plan_import(
    dumps: Sequence[Dump],
    papers_dir: Path,
    themes: Sequence[Theme],
    added: str,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
    filer: Filer | None = None,
) -> ImportPlan:
    """Decide what the import changes, as complete file texts; touches nothing. New papers are filed by
    ``filer`` (default: a classifier trained on the papers already in ``papers_dir``)."""
    filer = filer or Filer(papers_dir, themes, 0.0)
    known, taken = existing_papers(papers_dir)
    groups = group_entries(dumps)
    changes: list[FileChange] = []
    unchanged = 0
    for entries in progress(groups):
        first, card = entries[0], card_values(entries)
        existing = find_existing(known, first.title, card.get("arxiv"))
        sources = _sources(entries)
        if existing is None:
            choice, record = filer.file(first.title, first.abstract)
            change = new_paper_file(
                papers_dir, first.title, first.abstract, choice.theme, added, sources, taken, (), card, record
            )
            taken.add(change.path.stem)
            changes.append(change)
            continue
        new_sources = [s for s in sources if s.file not in existing.sources]
        missing = {k: v for k, v in card.items() if k not in existing.card}
        if not new_sources and not missing:
            unchanged += 1
            continue
        text = update_paper(existing.text, new_sources, missing)
        detail = [f"new sources: {', '.join(s.file for s in new_sources)}"] if new_sources else []
        detail += [f"{key}: {value}" for key, value in missing.items()]
        changes.append(FileChange(existing.path, text, "updated", "; ".join(detail)))
    warnings = tuple(w for d in dumps for w in d.warnings)
    return ImportPlan(
        dumps=len(dumps),
        entries=sum(len(d.entries) for d in dumps),
        unique=len(groups),
        changes=tuple(changes),
        unchanged=unchanged,
        warnings=warnings,
    )


def new_paper_file(
    papers_dir: Path,
    title: str,
    abstract: str,
    theme: str,
    added: str,
    sources: Sequence[Source] = (),
    taken: Iterable[str] = (),
    tags: Sequence[str] = (),
    card: Mapping[str, str] | None = None,
    classified: dict[str, object] | None = None,
) -> FileChange:
    """The file a new paper gets, shared by ``import`` and ``add`` so both write exactly the same format.
    ``card`` holds what the page showed (arxiv, published, code); a field it does not give is left out.
    ``classified`` records a low-confidence filing, for ``sitegen check`` to point a reviewer at."""
    pid = paper_id(title)
    slug = unique_slug(title, pid, taken)
    fields = {
        "id": pid,
        "title": title,
        **{key: (card or {})[key] for key in CARD_FIELDS if (card or {}).get(key)},
        "sources": [s.to_yaml() for s in sources],
        "added": added,
        "status": None,
        "tags": list(tags),
        "notes": "",
    }
    review = ""
    if classified:
        fields[CLASSIFIED] = classified
        review = f"low confidence {classified['confidence']}; maybe {classified['maybe']}"
    text = format_paper(fields, escape_markdown(abstract))
    return FileChange(papers_dir / theme / f"{slug}.md", text, "new", theme, review)


def update_paper(text: str, new_sources: Sequence[Source], fill: Mapping[str, str]) -> str:
    """Append to a paper file's ``sources`` and add the ``fill`` fields it lacks at the end of its front
    matter, leaving every other byte of the file as it was."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    front = "\n".join(lines[1:end]) + "\n"
    front_lines = front.rstrip("\n").split("\n") if front.strip() else []
    # A key a curator left empty (``code:``) is filled where it stands, others go at the end.
    for key, value in fill.items():
        entry = dump_yaml({key: value}).rstrip("\n")
        at = next(
            (
                i
                for i, line in enumerate(front_lines)
                if re.fullmatch(rf"{key}:\s*(?:''|\"\"|~|null)?\s*", line)
            ),
            None,
        )
        if at is None:
            front_lines.append(entry)
        else:
            front_lines[at] = entry
    if new_sources:
        front_lines = _append_sources("\n".join(front_lines) + "\n", new_sources)
    return "\n".join([lines[0], *front_lines, *lines[end:]])


def _append_sources(front: str, new: Sequence[Source]) -> list[str]:
    """Front matter lines with ``new`` appended to its ``sources`` block (or a new block at the end)."""
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    front_lines = front.rstrip("\n").split("\n")
    key_line, stop_line, old = len(front_lines), len(front_lines), []
    for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
        if key.value == "sources":
            key_line = key.start_mark.line
            stop_line = value.end_mark.line + (1 if value.end_mark.column else 0)
            old = yaml.safe_load(front).get("sources") or []
            break
    block = dump_yaml({"sources": [*old, *(s.to_yaml() for s in new)]}).rstrip("\n").split("\n")
    front_lines[key_line:stop_line] = block
    return front_lines


def add_paper(
    papers_dir: Path,
    themes_file: Path,
    title: str | None,
    abstract: str | None,
    snippet: str | None,
    added: str,
    theme: str | None = None,
    tags: Sequence[str] = (),
) -> tuple[Path, str]:
    """``sitegen add``: one new paper file from a title and abstract, or from a dump snippet, written as
    import would write it. Refuses a paper already on the list, naming its file. Returns the new path and,
    when the classifier chose the theme with low confidence, a hint for the curator at the keyboard (who
    can settle it now with --theme, so nothing is recorded in the file for a later review)."""
    card: dict[str, str] = {}
    if snippet is not None:
        entry = _snippet_entry(snippet)
        title, abstract, card = entry.title, entry.abstract, card_values([entry])
    # Dumps collapse runs of whitespace; do the same so an added title matches the same title in a dump.
    title, abstract = " ".join((title or "").split()), " ".join((abstract or "").split())
    if not title or not abstract:
        raise SitegenError("a paper needs a title and an abstract: give --title and --abstract")
    themes = load_themes(themes_file)
    slugs = [t.slug for t in themes] + [UNSORTED]
    hint = ""
    if theme is None:
        choice, record = Filer(papers_dir, themes, review_threshold(themes_file)).file(title, abstract)
        theme = choice.theme
        if record:
            hint = (
                f"filed under {theme} with low confidence ({record['confidence']}); maybe {record['maybe']}: "
            )
            hint += "pass --theme to choose"
    elif theme not in slugs:
        raise SitegenError(f"theme '{theme}' is not in {themes_file.name}; use one of: {', '.join(slugs)}")
    finish_interrupted(papers_dir)
    known, taken = existing_papers(papers_dir)
    existing = find_existing(known, title, card.get("arxiv"))
    if existing is not None:
        raise SitegenError(
            Problem(existing.path, f"'{title}' is already on the list here; edit this file instead")
        )
    change = new_paper_file(papers_dir, title, abstract, theme, added, (), taken, tags, card)
    apply_plan(ImportPlan(0, 1, 1, (change,), 0, ()), papers_dir)
    return change.path, hint


def _snippet_entry(text: str) -> Entry:
    """The one paper in a pasted dump snippet (a title line, then its abstract paragraph)."""
    dump = parse_dump(Path("<stdin>"), text)
    if len(dump.entries) == 1 and dump.errors:  # one paper read, others the snippet shows were not
        raise SitegenError([*dump.warnings, *dump.errors])
    if len(dump.entries) != 1:
        found = f"{len(dump.entries)} papers" if dump.entries else "no title followed by an abstract"
        hint = "paste one title and its abstract, or save a dump in content/dumps/ and run `sitegen import`"
        raise SitegenError([*dump.warnings, Problem("<stdin>", f"the snippet holds {found}; {hint}")])
    return dump.entries[0]
