"""The import stage: dumps -> one Markdown file per paper under ``content/papers/<theme>/<slug>.md``.

Planning is pure (what would change, as whole file texts); applying writes every file or none.
Curators own the files once written: re-import only adds new papers and new ``sources`` entries,
matching existing papers by ``id`` (or normalised title) wherever a curator moved them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from sitegen.content import paper_files, read_text
from sitegen.dumps import Dump, Entry, parse_dump, read_dump, same_paper
from sitegen.errors import Problem, SitegenError
from sitegen.frontmatter import (
    CARD_FIELDS,
    ContentProblem,
    Source,
    dump_yaml,
    format_paper,
    split_front_matter,
    strip_version,
)
from sitegen.learn import CLASSIFIED, Filer
from sitegen.markup import escape_markdown
from sitegen.model import JOURNAL
from sitegen.slugs import normalise_title, paper_id, unique_slug
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


@dataclass(frozen=True)
class _Existing:
    path: Path
    text: str
    sources: tuple[str, ...]  # dump file names already listed
    card: frozenset[str] = frozenset()  # which of CARD_FIELDS the file already gives a value


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


@dataclass(frozen=True)
class Known:
    """The papers on disk: by id, and the id of each normalised title and arXiv id."""

    by_id: dict[str, _Existing]
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
        known.by_id[pid] = _Existing(path, text, names, card)
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


def find_existing(known: Known, title: str, arxiv: str | None = None) -> _Existing | None:
    """The paper on disk that is this one: same arXiv id, same id, or same normalised title (a curator
    may edit ids and titles)."""
    return (
        (arxiv and known.by_id.get(known.id_by_arxiv.get(arxiv, "")))
        or known.by_id.get(paper_id(title))
        or known.by_id.get(known.id_by_title.get(normalise_title(title), ""))
    ) or None


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


STAGED = ".sitegen-tmp"  # suffix of a staged file: ``<theme>/.<slug>.md.sitegen-tmp``


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}{STAGED}")


def apply_plan(plan: ImportPlan, papers_dir: Path) -> None:
    """Write every changed file or none, recoverably: each text is staged beside its file, a journal then
    names them all, and the staged files are renamed into place. Killed before the journal exists, the
    next run removes the staged files; killed after, it finishes the renames (``finish_interrupted``)."""
    journal = papers_dir / JOURNAL
    written: list[Path] = []
    try:
        for change in plan.changes:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            written.append(_staged(change.path))
            written[-1].write_text(change.text, encoding="utf-8", newline="\n")
        targets = [c.path.relative_to(papers_dir).as_posix() for c in plan.changes]
        written.append(_staged(journal))
        with open(written[-1], "w", encoding="utf-8") as file:
            json.dump(targets, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(written.pop(), journal)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        problem = Problem(exc.filename or "content", f"could not write ({exc.strerror}); nothing changed")
        raise SitegenError(problem) from None
    finish_interrupted(papers_dir)


def finish_interrupted(papers_dir: Path) -> None:
    """Finish an import that was stopped after its journal was written, and remove the staged files of one
    stopped before: either way the papers are as one whole import left them, or as before it."""
    journal = papers_dir / JOURNAL
    if journal.exists():
        try:
            targets = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            targets = None
        if not isinstance(targets, list) or not all(
            isinstance(t, str) and _is_paper_path(t) for t in targets
        ):
            raise SitegenError(Problem(journal, "is not an import journal sitegen wrote; delete it"))
        for target in targets:
            path = papers_dir / target
            if _staged(path).exists():
                os.replace(_staged(path), path)
        journal.unlink()
    for staged in [*papers_dir.glob(f"*/.*{STAGED}"), _staged(journal)]:
        staged.unlink(missing_ok=True)


def _is_paper_path(text: str) -> bool:
    """``<theme>/<slug>.md`` and nothing else: the journal sits among content a pull request may change."""
    parts = PurePosixPath(text).parts
    return len(parts) == 2 and not any(p.startswith(".") for p in parts) and parts[1].endswith(".md")


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
