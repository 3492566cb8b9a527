"""The site model: every paper and theme loaded, validated and related once, before anything is rendered."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from sitegen.config import EXCLUDED, Config
from sitegen.content import FileCache, load_papers
from sitegen.errors import Problem, SitegenError
from sitegen.fields import did_you_mean
from sitegen.frontmatter import Paper
from sitegen.inputs import refuse_outside_links, shown
from sitegen.slugs import is_valid_slug, normalise_title
from sitegen.tags import canonical_tag, tag_problems, tag_slug
from sitegen.themes import UNSORTED, Theme, load_themes

UNSORTED_THEME = Theme(
    slug=UNSORTED,
    title="Unsorted",
    description="Papers the classifier could not place; a curator will file them under a theme.",
)


@dataclass(frozen=True)
class Site:
    config: Config
    themes: tuple[Theme, ...]  # declared order; "unsorted" last, only when it holds papers
    papers: tuple[Paper, ...]  # visible papers (not excluded), by theme order then title
    by_theme: Mapping[str, tuple[Paper, ...]]
    by_slug: Mapping[str, Paper]
    by_tag: Mapping[str, tuple[Paper, ...]]  # tag slug -> papers, by title; tag slugs sorted
    tag_labels: Mapping[str, str]  # tag slug -> the tag as curators wrote it (first seen)
    warnings: tuple[Problem, ...] = ()

    @cached_property
    def newest(self) -> tuple[Paper, ...]:
        """Newest additions first; papers added the same day by the day their listing appeared (newest
        first), then by title so the order is stable."""
        # Stable sorts: by title, then by (added, last listed) newest first (ISO dates sort as strings).
        by_title = sorted(self.papers, key=title_key)
        return tuple(
            sorted(by_title, key=lambda p: (p.added or "", max(listing_days(p), default="")), reverse=True)
        )

    def theme(self, slug: str) -> Theme:
        return self._themes[slug]

    @cached_property
    def _themes(self) -> dict[str, Theme]:
        return {t.slug: t for t in self.themes}

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {p.slug: i for papers in self.by_theme.values() for i, p in enumerate(papers)}

    def neighbours(self, paper: Paper) -> tuple[Paper | None, Paper | None]:
        """Previous and next paper within the paper's theme."""
        siblings = self.by_theme[paper.theme]
        index = self._positions[paper.slug]
        previous = siblings[index - 1] if index > 0 else None
        following = siblings[index + 1] if index + 1 < len(siblings) else None
        return previous, following

    def with_status(self, papers: tuple[Paper, ...], status: str) -> tuple[Paper, ...]:
        return tuple(p for p in papers if p.status == status)

    def with_tag(self, papers: tuple[Paper, ...], tag: str) -> tuple[Paper, ...]:
        return tuple(p for p in papers if tag in map(tag_slug, p.tags))

    @cached_property
    def listing_counts(self) -> tuple[tuple[str, int], ...]:
        """How many visible papers each Daily Papers day listed: (YYYY-MM-DD, count), newest day first.
        Papers whose listing has no day that can be dated are not counted."""
        counts: dict[str, int] = {}
        for paper in self.papers:
            for day in listing_days(paper):
                counts[day] = counts.get(day, 0) + 1
        return tuple(sorted(counts.items(), reverse=True))


# Date lines as dumps carry them: without a year ("May 22", the usual) or with one.
_DAY_FORMATS = ("%b %d", "%B %d")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d")


@functools.lru_cache(maxsize=4096)  # pure, and a large site holds few distinct date lines: strptime is slow
def listing_day(date: str | None, added: str | None) -> str | None:
    """A dump's date line as YYYY-MM-DD, or None. A line without a year ("May 22") takes it from the day the
    paper was added, since a page is copied on or after its date: the latest such day not after ``added``."""
    text = " ".join((date or "").split())
    for form in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    for form in _DAY_FORMATS:
        try:
            parsed = datetime.datetime.strptime(f"{text} 2000", f"{form} %Y")  # a leap year: Feb 29 parses
        except ValueError:
            continue
        return _latest_day_until(parsed.month, parsed.day, added)
    return None


def _latest_day_until(month: int, day: int, added: str | None) -> str | None:
    try:
        until = datetime.date.fromisoformat(added or "")
    except ValueError:
        return None
    for year in range(until.year, until.year - 5, -1):  # within 4 years there is a Feb 29
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= until:
            return candidate.isoformat()
    return None


def listing_days(paper: Paper) -> tuple[str, ...]:
    """Every day a Daily Papers page listed ``paper``, oldest first, without repeats."""
    return tuple(sorted({d for s in paper.sources if (d := listing_day(s.date, paper.added))}))


def title_key(paper: Paper) -> tuple[str, str]:
    return (normalise_title(paper.title), paper.slug)


def validate_papers(papers: list[Paper], themes: tuple[Theme, ...], config: Config) -> list[Problem]:
    """Problems that involve more than one file, or the configuration: each names the file it is in."""
    problems: list[Problem] = []
    theme_slugs = {t.slug for t in themes} | {UNSORTED}
    statuses = config.status_labels
    for paper in papers:
        if paper.theme not in theme_slugs:
            meant = did_you_mean(paper.theme, theme_slugs)
            fix = (
                f"did you mean '{meant}'? (git mv the file to content/papers/{meant}/)"
                if meant
                else f"move the file to one of: {', '.join(sorted(theme_slugs))}"
            )
            problems.append(
                Problem(
                    paper.path, f"folder '{paper.theme}' is not a theme in {config.themes_file.name}; {fix}"
                )
            )
        if not is_valid_slug(paper.slug):
            problems.append(
                Problem(
                    paper.path, "file name must be a slug: lowercase a-z, 0-9 and single hyphens, at most 80"
                )
            )
        if paper.status is not None and paper.status not in statuses:
            problems.append(
                Problem(
                    paper.path,
                    f"status {shown(paper.status)} is not one of: {', '.join(statuses)} (see sitegen.yaml)",
                    paper.line_of("status"),
                )
            )
    return problems + duplicates(papers) + tag_problems(papers) + empty_themes(papers, themes, config)


def duplicates(papers: Sequence[Paper]) -> list[Problem]:
    """A copied file is one mistake: one error on the copy (the later path) naming the original."""
    keys = {"id": lambda p: p.id, "title": lambda p: title_key(p)[0], "file name": lambda p: p.slug}
    first: dict[tuple[str, str], Paper] = {}
    problems = []
    for paper in sorted(papers, key=lambda p: str(p.path)):
        shared: dict[Path | str, list[str]] = {}  # original's path -> what the two share
        for label, key in keys.items():
            original = first.setdefault((label, key(paper)), paper)
            if original is not paper:
                shared.setdefault(original.path, []).append(label)
        for path, labels in shared.items():
            if labels == ["file name"]:
                message = (
                    f"same file name as {path}: both would be the page /papers/{paper.slug}/; rename one"
                )
            elif "id" in labels:
                message = (
                    f"duplicates {path} (same {' and '.join(labels)}): delete one, or give it a new id "
                    "if it is another paper"
                )
            else:
                message = f"has the same title as {path}: the same paper twice? delete one"
            problems.append(Problem(paper.path, message, paper.line_of("id") if "id" in labels else None))
    return problems


def empty_themes(papers: Sequence[Paper], themes: Sequence[Theme], config: Config) -> list[Problem]:
    """A declared theme no visible paper is in would be an empty page: said where the theme is declared, by
    check, build and the preview alike (a warning, so `--strict` fails on it as CI does)."""
    visible = {p.theme for p in papers if p.status != EXCLUDED}
    filed = {p.theme for p in papers}
    problems = []
    for theme in themes:
        if theme.slug in visible:
            continue
        why = (
            "all its papers are excluded"
            if theme.slug in filed
            else f"no paper is in content/papers/{theme.slug}/"
        )
        problems.append(
            Problem(
                config.themes_file,
                f"theme '{theme.slug}' has no visible paper ({why}), so its page is empty; "
                f"move papers into it or remove the theme",
                _declared_line(config.themes_file, theme.slug),
                severity="warning",
            )
        )
    return problems


def _declared_line(themes_file: Path, slug: str) -> int | None:
    text = themes_file.read_text(encoding="utf-8")
    pattern = rf"^[ \t]*-?[ \t]*slug:[ \t]*['\"]?{re.escape(slug)}['\"]?[ \t]*$"
    match = re.search(pattern, text, re.M)
    return text[: match.start()].count("\n") + 1 if match else None


# The import's journal (see sitegen.importer.apply_plan): the paper files an import is replacing, written
# once every new text is staged beside its file, removed once all are in place. Present means "finish me".
JOURNAL = ".sitegen-import-journal"


def unusable_papers(config: Config) -> Problem | None:
    """Papers no site may be built from: none at all (a wrong --root, a bad merge: never an empty site to
    publish), or half of an import that was stopped."""
    if not config.papers_dir.is_dir():
        return Problem(config.papers_dir, "is missing: there are no papers to build (is --root right?)")
    if (config.papers_dir / JOURNAL).exists():
        return Problem(
            config.papers_dir / JOURNAL, "an import was stopped half-way; run `sitegen import` to finish it"
        )
    return None


def load_site(config: Config, cache: FileCache | None = None) -> Site:
    """Load and validate everything; raise SitegenError listing every problem (warnings are kept)."""
    refuse_outside_links(config.root)
    if problem := unusable_papers(config):
        raise SitegenError(problem)
    themes = load_themes(config.themes_file)
    papers, problems = load_papers(config.papers_dir, cache)
    problems += validate_papers(papers, themes, config)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SitegenError(problems)
    visible = [_with_canonical_tags(p) for p in papers if p.status != EXCLUDED]
    shown = list(themes)
    if any(p.theme == UNSORTED for p in visible):
        shown.append(UNSORTED_THEME)
    order = {t.slug: i for i, t in enumerate(shown)}
    visible.sort(key=lambda p: (order[p.theme], title_key(p)))
    grouped: dict[str, list[Paper]] = {t.slug: [] for t in shown}
    for paper in visible:
        grouped[paper.theme].append(paper)
    by_theme = {slug: tuple(papers) for slug, papers in grouped.items()}
    tag_labels: dict[str, str] = {}
    by_tag: dict[str, dict[str, Paper]] = {}  # tag slug -> papers by slug, in title order
    for paper in sorted(visible, key=title_key):
        for tag in paper.tags:
            tag_labels.setdefault(tag_slug(tag), tag)
            by_tag.setdefault(tag_slug(tag), {})[paper.slug] = paper
    return Site(
        config=config,
        themes=tuple(shown),
        papers=tuple(visible),
        by_theme=MappingProxyType(by_theme),
        by_slug=MappingProxyType({p.slug: p for p in visible}),
        by_tag=MappingProxyType({t: tuple(by_tag[t].values()) for t in sorted(by_tag)}),
        tag_labels=MappingProxyType(tag_labels),
        warnings=tuple(problems),
    )


def _with_canonical_tags(paper: Paper) -> Paper:
    """The paper with its tags as the site shows them (one spelling, each once)."""
    tags = tuple(dict.fromkeys(canonical_tag(tag) for tag in paper.tags))
    return paper if tags == paper.tags else replace(paper, tags=tags)
