"""A small generated project and the edits curators make to it, drawn at random from a seed.

Used by the differential test (tests/test_cache.py) and its longer run (bench/differential.py): after each
edit, a long-lived preview builder must produce exactly what a clean build produces. Every edit keeps the
project valid: these are the ordinary edits of a pull request, not broken files.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitegen.frontmatter import format_paper
from sitegen.slugs import normalise_title, paper_id, slugify

REPO = Path(__file__).resolve().parent.parent
WORDS = (  # noqa: SIM905 - a sentence reads better than 24 quoted words
    "sparse attention diffusion graph spiking pruning latent token vision speech robust quantised memory "
    "neural operator contrastive federated causal recurrent adaptive mixture expert kernel manifold"
).split()
TAGS = ("pruning", "Pruning", "survey", "vision transformers", "RL", "rl", "benchmark", "C++", "état")
STATUSES = ("must-read", "recommended", "background")
TEMPLATE_ANCHORS = ("{% endblock %}", "{% endmacro %}", "</feed>", "</urlset>", "</body>")


@dataclass
class Project:
    """A project folder and the state its files were written from (papers by slug)."""

    root: Path
    rng: random.Random
    themes: list[dict[str, str]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> theme, fields, body
    edits: int = 0

    @property
    def config_file(self) -> Path:
        return self.root / "sitegen.yaml"

    def path(self, slug: str) -> Path:
        return self.root / "content" / "papers" / self.papers[slug]["theme"] / f"{slug}.md"

    def write_paper(self, slug: str) -> Path:
        paper = self.papers[slug]
        fields = {k: v for k, v in paper["fields"].items() if v not in (None, [], "", {})}
        path = self.path(slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(format_paper(fields, paper["body"]), encoding="utf-8")
        return path

    def write_themes(self) -> Path:
        path = self.root / "content" / "themes.yaml"
        path.write_text(
            yaml.safe_dump({"themes": self.themes}, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return path

    def write_config(self) -> Path:
        self.config_file.write_text(
            yaml.safe_dump(self.config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return self.config_file

    def title(self) -> str:
        """A title no paper has (normalised titles must be unique), now and then with math or markup."""
        taken = {normalise_title(p["fields"]["title"]) for p in self.papers.values()}
        while True:
            words = self.rng.sample(WORDS, self.rng.randint(2, 5))
            title = " ".join(words).capitalize() + self.rng.choice(("", "", " with $\\alpha$-nets", " & <b>"))
            if normalise_title(title) not in taken and slugify(title) not in self.papers:
                return title

    def abstract(self) -> str:
        sentences = [" ".join(self.rng.choices(WORDS, k=self.rng.randint(5, 12))) + "." for _ in range(3)]
        return " ".join(s.capitalize() for s in sentences)

    def visible_themes(self) -> list[str]:
        return [t["slug"] for t in self.themes] + ["unsorted"]


def make_project(root: Path, seed: int, papers: int = 12) -> Project:
    """A project of its own (themes, config and papers generated from ``seed``), with the repository's
    templates and static files, and lunr.js from node_modules."""
    (root / "content" / "papers").mkdir(parents=True)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    (root / "node_modules").symlink_to(REPO / "node_modules")
    project = Project(root, random.Random(seed))
    project.themes = [
        {"slug": slug, "title": title, "description": f"Papers about {title.lower()}."}
        for slug, title in (("vision", "Vision"), ("language", "Language & Text"), ("graphs", "Graphs"))
    ]
    project.config = {
        "title": "Test Reading List",
        "description": "Generated for the differential test.",
        "base_url": "/",
        "statuses": {"must-read": "Must read", "recommended": "Recommended", "background": "Background"},
    }
    project.write_themes()
    project.write_config()
    for _ in range(papers):
        add(project)
    return project


# --- the edits: each changes the project and returns the files it wrote, moved or deleted -------------


def _some_paper(project: Project) -> str:
    return project.rng.choice(sorted(project.papers))


def _rewrite(project: Project, slug: str, **changes: Any) -> list[Path]:
    project.papers[slug]["fields"].update(changes)
    return [project.write_paper(slug)]


def set_status(project: Project) -> list[Path]:
    status = project.rng.choice((*STATUSES, None, "excluded"))
    return _rewrite(project, _some_paper(project), status=status)


def set_tags(project: Project) -> list[Path]:
    tags = project.rng.sample(TAGS, project.rng.randint(0, 3))
    return _rewrite(project, _some_paper(project), tags=tags)


def set_notes(project: Project) -> list[Path]:
    other = _some_paper(project)
    notes = project.rng.choice(
        (
            "",
            f"Read with [the companion paper](../{other}/) first.",
            f"Compare [this one](../../papers/{other}/) and <https://example.org/x?a=1&b=2>.",
            "A *strong* baseline; see `code` <script>alert(1)</script>.",
        )
    )
    return _rewrite(project, _some_paper(project), notes=notes)


def set_added(project: Project) -> list[Path]:
    added = project.rng.choice(
        (None, f"2026-{project.rng.randint(1, 12):02d}-{project.rng.randint(1, 28):02d}")
    )
    return _rewrite(project, _some_paper(project), added=added)


def set_related(project: Project) -> list[Path]:
    slug, other = _some_paper(project), _some_paper(project)
    related = project.rng.choice(({}, {"pin": [other]}, {"hide": [other]}))
    return _rewrite(project, slug, related=related)


def set_links(project: Project) -> list[Path]:
    """The arXiv id and code link an import or a curator records."""
    number = project.rng.randint(1000, 9999)
    arxiv = project.rng.choice((None, f"2401.{number:05d}"))
    code = project.rng.choice((None, f"https://github.com/example/repo-{number}"))
    return _rewrite(project, _some_paper(project), arxiv=arxiv, code=code)


def set_published(project: Project) -> list[Path]:
    """The publication date a citation takes its year from."""
    published = project.rng.choice((None, f"20{project.rng.randint(19, 26)}-0{project.rng.randint(1, 9)}-15"))
    return _rewrite(project, _some_paper(project), published=published)


def set_sources(project: Project) -> list[Path]:
    """The dumps a paper was listed in, with their date lines as pasted: without a year (read against
    ``added``), with one, or none that can be dated; the home's and the paper's "Listed in" follow them."""
    dates = ("Nov 1", "Oct 30", "Feb 29", "November 2, 2026", "3 Nov 2026", "", "sometime")
    sources = [
        {"file": f"2026-11-0{day}.txt", "date": project.rng.choice(dates)}
        for day in sorted(project.rng.sample(range(1, 10), project.rng.randint(1, 3)))
    ]
    return _rewrite(project, _some_paper(project), sources=sources)


def retitle(project: Project) -> list[Path]:
    return _rewrite(project, _some_paper(project), title=project.title())


def edit_abstract(project: Project) -> list[Path]:
    slug = _some_paper(project)
    project.papers[slug]["body"] = project.abstract()
    return [project.write_paper(slug)]


ACRONYMS = ("sparse mixture experts (SME)", "graph neural operators (GNOs)", "spiking latent memory (SLM)")


def define_acronym(project: Project) -> list[Path]:
    """An abstract that defines an acronym and uses another: the pairs the search index mines from all
    papers change, and with them the terms of every paper that uses either form."""
    slug = _some_paper(project)
    used = project.rng.choice(ACRONYMS).split("(")[1].rstrip(")")
    project.papers[slug]["body"] = f"{project.abstract()} With {project.rng.choice(ACRONYMS)} and {used}."
    return [project.write_paper(slug)]


def add(project: Project) -> list[Path]:
    title = project.title()
    slug = slugify(title)
    fields = {
        "id": paper_id(title),
        "title": title,
        "sources": [{"file": project.rng.choice(("2026-11-01.txt", "2026-11-08.txt")), "date": "Nov 1"}],
        "added": f"2026-11-{project.rng.randint(1, 28):02d}",
        "status": project.rng.choice((*STATUSES, None)),
        "tags": project.rng.sample(TAGS, project.rng.randint(0, 2)),
    }
    theme = project.rng.choice(project.visible_themes())
    project.papers[slug] = {"theme": theme, "fields": fields, "body": project.abstract()}
    return [project.write_paper(slug)]


def delete(project: Project) -> list[Path]:
    slug = _some_paper(project)
    path = project.path(slug)
    path.unlink()
    del project.papers[slug]
    return [path]


def move(project: Project) -> list[Path]:
    slug = _some_paper(project)
    old = project.path(slug)
    project.papers[slug]["theme"] = project.rng.choice(project.visible_themes())
    new = project.path(slug)
    new.parent.mkdir(parents=True, exist_ok=True)
    old.rename(new)
    return [old, new]


def edit_theme(project: Project) -> list[Path]:
    theme = project.rng.choice(project.themes)
    key = project.rng.choice(("title", "description"))
    theme[key] = f"{theme[key].split(' (')[0]} ({project.edits})"
    return [project.write_themes()]


def reorder_themes(project: Project) -> list[Path]:
    project.rng.shuffle(project.themes)
    return [project.write_themes()]


def add_theme(project: Project) -> list[Path]:
    slug = f"theme-{project.edits}"
    project.themes.append({"slug": slug, "title": f"Theme {project.edits}", "description": "New."})
    return [project.write_themes()]


def edit_config(project: Project) -> list[Path]:
    key = project.rng.choice(("title", "base_url", "status label"))
    if key == "title":
        project.config["title"] = f"Reading List {project.edits}"
    elif key == "base_url":
        project.config["base_url"] = project.rng.choice(("/", "/sub/path/", "https://example.org/list/"))
    else:
        project.config["statuses"][project.rng.choice(STATUSES)] = f"Label {project.edits}"
    return [project.write_config()]


def edit_template(project: Project) -> list[Path]:
    """Visible text added to one template, inside a block or macro where it shows."""
    path = project.rng.choice(sorted((project.root / "templates").iterdir()))
    text = path.read_text(encoding="utf-8")
    marker = f"<!-- edit {project.edits} -->" if path.suffix != ".txt" else f"# edit {project.edits}\n"
    anchors = [a for a in TEMPLATE_ANCHORS if a in text]
    if anchors:
        at = max(text.rfind(a) for a in anchors)
        text = text[:at] + marker + text[at:]
    else:
        text += marker
    path.write_text(text, encoding="utf-8")
    return [path]


def edit_static(project: Project) -> list[Path]:
    static = project.root / "static"
    extra = static / "extra.txt"
    choice = project.rng.choice(("style", "add", "remove"))
    if choice == "style":
        path = static / "style.css"
        path.write_text(path.read_text(encoding="utf-8") + f"/* edit {project.edits} */\n", encoding="utf-8")
        return [path]
    if choice == "add":
        extra.write_text(f"edit {project.edits}\n", encoding="utf-8")
    else:
        extra.unlink(missing_ok=True)
    return [extra]


EDITS: tuple[Callable[[Project], list[Path]], ...] = (
    set_status,
    set_tags,
    set_notes,
    set_added,
    set_related,
    set_links,
    set_published,
    set_sources,
    retitle,
    edit_abstract,
    define_acronym,
    add,
    delete,
    move,
    edit_theme,
    reorder_themes,
    add_theme,
    edit_config,
    edit_template,
    edit_static,
)


def random_edit(project: Project) -> tuple[str, list[Path]]:
    """One edit drawn from ``EDITS`` (a delete only while papers remain): its name, the paths it touched."""
    project.edits += 1
    edit = project.rng.choice(EDITS)
    if edit is delete and len(project.papers) < 3:
        edit = add
    return edit.__name__, edit(project)
