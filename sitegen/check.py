"""The check: the build without writing. Load and validate everything, report every problem, write nothing.

It reuses the build's own loaders and validators (config, themes, paper files, ``validate_papers``, and
finally the in-memory render), and adds what only a pull request review needs: themes and folders that
disagree, stray files the build would silently skip, dumps committed without their imported papers, and
curator notes linking to pages the site does not have.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sitegen.config import Config, load_config
from sitegen.content import load_papers, paper_files, read_text
from sitegen.dumps import dump_files
from sitegen.errors import Problem, SitegenError, problems_from
from sitegen.fields import did_you_mean_hint
from sitegen.frontmatter import ContentProblem, Paper, field_line, split_front_matter
from sitegen.importer import read_dumps
from sitegen.inputs import outside_links, shown
from sitegen.learn import CLASSIFIED
from sitegen.matching import card_values, existing_papers, find_existing, group_entries
from sitegen.model import unusable_papers, validate_papers
from sitegen.notelinks import broken_note_links
from sitegen.pagetext import pasted_syntax
from sitegen.report import Report, display_path
from sitegen.slugs import normalise_title
from sitegen.themes import Theme, load_themes


def check(root: Path) -> Report:
    """Every problem in the project at ``root``; never raises for content problems, never writes."""
    try:
        config, problems = load_config(root)
    except SitegenError as exc:  # a broken sitegen.yaml: nothing else can be checked meaningfully
        return Report(exc.problems, 0, 0, 0)
    problems = list(problems)
    refused = outside_links(root) + [p for p in [unusable_papers(config)] if p]
    if refused:  # nothing more is read: a link out of the project would be echoed in messages
        return Report((*problems, *refused), 0, 0, 0)
    themes: tuple[Theme, ...] | None
    try:
        themes = load_themes(config.themes_file)
    except SitegenError as exc:
        problems += exc.problems
        themes = None
    papers, found = load_papers(config.papers_dir)
    problems += found
    strays = stray_papers(config.papers_dir)
    problems += stray_files(config.papers_dir, strays, {t.slug for t in themes or ()})
    if themes is not None:
        problems += validate_papers(papers, themes, config)
    problems += pinned_slugs(papers)
    problems += pasted_furniture(papers)
    problems += low_confidence_filings(papers)
    dumps = dump_files(config.dumps_dir)
    problems += dumps_not_imported(config, dumps, strays)
    if themes is not None:
        problems += broken_note_links(config, papers, themes)
    if not any(p.severity == "error" for p in problems):
        # Only a clean model can be rendered; rendering catches template and Markdown failures too.
        problems += render_in_memory(config)
    else:
        problems += template_syntax(config)
    return Report(tuple(problems), len(papers), len(themes or ()), len(dumps))


def stray_papers(papers_dir: Path) -> dict[Path, str]:
    """Markdown files under content/papers that are not ``<theme>/<slug>.md``, with their normalised titles
    ('' when unreadable): a paper a curator put in the wrong place, which the build would skip."""
    if not papers_dir.is_dir():
        return {}
    papers = set(paper_files(papers_dir))
    strays = {}
    for path in sorted(papers_dir.rglob("*.md")):
        if path in papers or not path.is_file() or _hidden(path.relative_to(papers_dir)):
            continue
        try:
            title = split_front_matter(path, read_text(path)).data.get("title")
        except ContentProblem:
            title = None
        strays[path] = normalise_title(title) if isinstance(title, str) else ""
    return strays


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)  # .gitkeep, editor and import temporaries


def stray_files(papers_dir: Path, strays: dict[Path, str], themes: set[str]) -> list[Problem]:
    """Files under content/papers that are not ``<theme>/<slug>.md``: the build would silently skip them. A
    misplaced paper is told where to go, never to import it again (that would make a second copy)."""
    problems = []
    for path in strays:
        folder = path.relative_to(papers_dir).parts[0]
        theme = folder if folder in themes else "<theme>"
        problems.append(
            Problem(
                path,
                f"is not in a theme folder, so the site leaves it out: move it to content/papers/{theme}/ "
                f"(git mv {display_path(path)} content/papers/{theme}/{path.name})",
            )
        )
    others = (p for p in sorted(papers_dir.rglob("*")) if p.is_file() and p.suffix != ".md")
    for path in others:
        if not _hidden(path.relative_to(papers_dir)):
            problems.append(
                Problem(
                    path,
                    "not a paper file, so the site leaves it out: papers are "
                    "content/papers/<theme>/<slug>.md (lowercase .md, one folder deep)",
                )
            )
    return problems


def pinned_slugs(papers: Sequence[Paper]) -> list[Problem]:
    """``related: pin/hide`` naming a paper that does not exist is ignored by the build: warn."""
    slugs = {p.slug for p in papers}
    problems = []
    for paper in papers:
        for slug in (*paper.pinned, *paper.hidden):
            if slug not in slugs:
                problems.append(
                    Problem(
                        paper.path,
                        f"'related' names {shown(slug)}, which is not a paper"
                        + did_you_mean_hint(slug, slugs),
                        _front_line(paper.path, "related"),
                        severity="warning",
                    )
                )
    return problems


def pasted_furniture(papers: Sequence[Paper]) -> list[Problem]:
    """A title that is a URL, a date or an author count, or holds Markdown link or heading syntax (and an
    abstract holding link syntax): a page pasted from a tool the importer misread, or a copy-paste slip."""
    problems = []
    for paper in papers:
        for key, text, line in (
            ("title", paper.title, paper.line_of("title")),
            ("abstract", paper.abstract, None),
        ):
            found = pasted_syntax(text, title=key == "title")
            if found:
                where = line if key == "title" else paper.body_line
                hint = (
                    "write the paper's own words there" if key == "title" else "keep the words, drop the link"
                )
                problems.append(Problem(paper.path, f"the {key} {found}; {hint}", where, severity="warning"))
    return problems


def low_confidence_filings(papers: Sequence[Paper]) -> list[Problem]:
    """A notice on each paper the importer filed with low confidence and no curator has looked at since.

    The importer records ``classified: {theme, confidence, maybe}``. A curator who agrees deletes it; one
    who disagrees moves the file, and then its folder no longer matches the recorded theme: no notice.
    """
    notices = []
    for paper in papers:
        line = paper.line_of(CLASSIFIED)
        if line is None:
            continue
        record = split_front_matter(paper.path, read_text(paper.path)).data.get(CLASSIFIED)
        if not isinstance(record, dict) or record.get("theme") != paper.theme:
            continue
        maybe = record.get("maybe")
        message = f"filed under {paper.theme} with low confidence ({record.get('confidence')})"
        message += f"; maybe {maybe}" if isinstance(maybe, str) else ""
        message += f": move the file if it belongs elsewhere, else delete the '{CLASSIFIED}' field"
        notices.append(Problem(paper.path, message, line, severity="notice"))
    return notices


def dumps_not_imported(config: Config, dumps: Sequence[Path], strays: dict[Path, str]) -> list[Problem]:
    """Dump entries with no paper file, or whose paper does not list the dump: import was not run (or its
    files not committed). Matching is import's own (id, then normalised title), so excluded papers count;
    a paper in a stray place is already told to move, so its entries are not told to import it again."""
    if not dumps:
        return []
    try:
        parsed = read_dumps(dumps)
        known, _ = existing_papers(config.papers_dir)
    except SitegenError as exc:
        # Unreadable paper files are already reported by load_papers; unreadable dumps are news.
        return [p for p in exc.problems if p.path in dumps]
    hint = "run `sitegen import` and commit the changed files"
    problems = []
    for entries in group_entries(parsed):
        first = entries[0]
        existing = find_existing(known, first.title, card_values(entries).get("arxiv"))
        dump = config.dumps_dir / first.file
        if existing is None and normalise_title(first.title) in strays.values():
            continue
        if existing is None:
            problems.append(
                Problem(dump, f"paper '{_short(first.title)}' was never imported; {hint}", first.line)
            )
            continue
        for entry in entries:
            if entry.file not in existing.sources:
                problems.append(
                    Problem(
                        config.dumps_dir / entry.file,
                        f"paper '{_short(entry.title)}' is in {existing.path} but its 'sources' do not list "
                        f"this dump; {hint}",
                        entry.line,
                    )
                )
    return problems


def _short(title: str) -> str:
    return title if len(title) <= 70 else title[:67] + "..."


def _front_line(path: Path, key: str) -> int | None:
    try:
        return field_line(split_front_matter(path, read_text(path)).front, key)
    except ContentProblem:
        return None


def template_syntax(config: Config) -> list[Problem]:
    """A template's syntax error, found without the content (which could not be rendered)."""
    from sitegen.cache import load_templates, template_sources

    try:
        load_templates(config.templates_dir, template_sources(config.templates_dir))
    except Exception as exc:
        return list(problems_from(exc))
    return []


def render_in_memory(config: Config) -> list[Problem]:
    """Render every page without writing it, so a template or Markdown failure shows up here too."""
    from sitegen.build import Builder, BuildMode, Timings  # the renderer pulls in Jinja: only when needed

    try:
        for _path, _data in Builder(config, BuildMode.CHECK).render(Timings()).files:
            pass  # pages are rendered as they are asked for
    except SitegenError as exc:
        return [p for p in exc.problems if p.severity == "error"]
    return []
