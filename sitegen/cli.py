"""The command line: one small click command per subcommand, each calling one function of a stage module.

Stage modules are imported inside the commands so that ``sitegen --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sitegen import __version__
from sitegen.errors import echo

if TYPE_CHECKING:  # only for annotations: stage modules are imported by the commands that use them
    from sitegen.importer import ImportPlan


def _project_root(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """An explicit --root must exist (click checks); by default the project is the working folder or the
    nearest folder above it holding sitegen.yaml or content/, so commands work from any subfolder."""
    if ctx.get_parameter_source(str(param.name)) is not click.core.ParameterSource.DEFAULT:
        return value
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "sitegen.yaml").is_file() or (folder / "content").is_dir():
            return value if folder == here else Path(os.path.relpath(folder))
    raise click.UsageError(
        "this folder is not in a sitegen project (no sitegen.yaml or content/ here or above): "
        "cd to the project folder or pass --root PATH"
    )


ROOT_OPTION = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    callback=_project_root,
    help="Project folder holding sitegen.yaml, content/, templates/ and static/ "
    "[default: this folder or the nearest one above it].",
)


def _iso_date(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None
    return value


ADDED_OPTION = click.option(
    "--added",
    default=lambda: dt.date.today().isoformat(),
    show_default="today",
    callback=_iso_date,
    help="Date (YYYY-MM-DD) recorded as 'added' on new papers.",
)


def _echo_problems(problems) -> None:
    for problem in problems:
        echo(str(problem), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
def cli() -> None:
    """Build a static site from a curated reading list of research papers."""


def _examples(*lines: str) -> str:
    """An epilog of example command lines, kept as written (click rewraps other text)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@cli.command(
    "import",
    short_help="Import dumps into one Markdown file per paper.",
    epilog=_examples("sitegen import --dry-run", "sitegen import content/dumps/2026-12-01.txt"),
)
@click.argument("dumps", nargs=-1, type=click.Path(path_type=Path))
@ROOT_OPTION
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="List every block of a dump that was skipped, and explain each new paper's theme.",
)
@ADDED_OPTION
def import_command(dumps: tuple[Path, ...], root: Path, dry_run: bool, verbose: bool, added: str) -> None:
    """Import paper dumps (default: every content/dumps/*.txt) into content/papers/<theme>/<slug>.md.

    Prints, per dump, the page layout it was read as, the papers found and the blocks skipped. New
    papers are filed by a classifier trained on the papers already filed (each folder is a label, so
    moving a file teaches it); those filed with low confidence are listed for review."""
    from sitegen.config import load_config
    from sitegen.dumps import dump_files
    from sitegen.errors import SitegenError
    from sitegen.importer import plan_import, read_dumps
    from sitegen.inputs import refuse_outside_links
    from sitegen.journal import apply_plan, finish_interrupted
    from sitegen.learn import Filer, explain
    from sitegen.themes import load_themes, review_threshold

    config, warnings = load_config(root)
    _echo_problems(warnings)
    refuse_outside_links(config.root)
    paths = list(dumps) or dump_files(config.dumps_dir)
    if not paths:
        raise SitegenError(f"no dumps found in {config.dumps_dir}; add a .txt dump there or name one")
    themes = load_themes(config.themes_file)
    parsed = read_dumps(paths)
    if not dry_run:
        finish_interrupted(config.papers_dir)

    def progress(items):
        if not sys.stderr.isatty() or len(items) < 500:
            return items
        return click.progressbar(items, label="Classifying", file=sys.stderr)

    filer = Filer(config.papers_dir, themes, review_threshold(config.themes_file))
    plan = plan_import(parsed, config.papers_dir, themes, added, progress, filer)
    for dump in parsed:
        for line in dump.summary(verbose):
            echo(line, err=True)
    if verbose:
        for title, choice in filer.filed:
            first, *rest = explain(choice)
            for line in [f"{title}: {first}", *rest]:
                echo(line)
    if dry_run:
        for change in plan.changes:
            verb = "would create" if change.kind == "new" else "would update"
            echo(f"{verb} {change.path} ({change.detail})")
    else:
        apply_plan(plan, config.papers_dir)
    _print_import_totals(plan, dry_run)


def _print_import_totals(plan: ImportPlan, dry_run: bool) -> None:
    """The counts of what ``import`` found and changed, then the new papers a reviewer should look at."""
    echo(
        f"{plan.dumps} dumps, {plan.entries} entries, {plan.unique} unique papers: "
        f"{plan.count('new')} new, {plan.count('updated')} updated, {plan.unchanged} unchanged, "
        f"{len(plan.warnings)} skipped" + (" (dry run: nothing written)" if dry_run else "")
    )
    review = [c for c in plan.changes if c.review]
    if review:
        echo(f"{len(review)} filed with low confidence (review these; move a file to correct it):")
        for change in review:
            echo(f"  {change.path}: filed under {change.detail} with {change.review}")


@cli.command(
    "classify",
    short_help="Show where import would file a paper, and why.",
    epilog=_examples(
        'sitegen classify "Sparse Autoencoders for Chat Models"',
        'sitegen classify "A Title" --abstract "The abstract ..."',
    ),
)
@click.argument("title")
@click.option("--abstract", default="", help="The paper's abstract, as plain text.")
@ROOT_OPTION
def classify_command(title: str, abstract: str, root: Path) -> None:
    """Show where import would file a paper titled TITLE: the top themes with their probabilities, the
    keyword prior and the words that weighed most, from a classifier trained on the papers filed so far."""
    from sitegen.config import load_config
    from sitegen.inputs import refuse_outside_links
    from sitegen.learn import Filer, explain
    from sitegen.themes import load_themes, review_threshold

    config, warnings = load_config(root)
    _echo_problems(warnings)
    refuse_outside_links(config.root)
    filer = Filer(config.papers_dir, load_themes(config.themes_file), review_threshold(config.themes_file))
    choice, record = filer.file(title, abstract)
    for line in explain(choice, shown=5):
        echo(line)
    trained = sum(filer.model.papers.values())
    echo(f"  (trained on {trained} papers in {config.papers_dir})")
    if record:
        echo(f"  low confidence (below {filer.review_below:g}): import would flag it for review")


@cli.command(
    "check",
    short_help="Validate content like a build would; write nothing.",
    epilog=_examples("sitegen check", "sitegen check --strict --format github   # what CI runs"),
)
@ROOT_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="'github' prints GitHub Actions annotations, shown inline on a pull request's diff.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (unknown fields, ...) as errors.")
def check_command(root: Path, output_format: str, strict: bool) -> None:
    """Validate config, themes, papers, dumps and note links like a build would; write nothing."""
    from sitegen.check import check
    from sitegen.report import format_github, format_text

    report = check(root)
    for problem in report.problems:
        echo(format_github(problem, strict) if output_format == "github" else format_text(problem))
    echo(report.summary(strict))
    if report.failed(strict):
        sys.exit(1)


@cli.command(
    "add",
    short_help="Add one paper by hand and print its path.",
    epilog=_examples(
        'sitegen add --title "Paper title" --abstract "The abstract." --theme vision --tag survey',
        "sitegen add < snippet.txt",
    ),
)
@ROOT_OPTION
@click.option("--title", help="The paper's title (else a dump snippet is read from standard input).")
@click.option("--abstract", help="The paper's abstract, as plain text.")
@click.option("--theme", help="Theme folder to file it under [default: the classifier's choice].")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@ADDED_OPTION
def add_command(
    root: Path, title: str | None, abstract: str | None, theme: str | None, tags: tuple[str, ...], added: str
) -> None:
    """Add one paper by hand: writes content/papers/<theme>/<slug>.md and prints its path."""
    from sitegen.config import load_config
    from sitegen.importer import add_paper
    from sitegen.inputs import refuse_outside_links

    snippet = None
    if title is None and abstract is None:
        if sys.stdin.isatty():
            raise click.UsageError("give --title and --abstract, or pipe a dump snippet: sitegen add < x.txt")
        snippet = sys.stdin.read()
    config, warnings = load_config(root)
    _echo_problems(warnings)
    refuse_outside_links(config.root)
    path, hint = add_paper(
        config.papers_dir, config.themes_file, title, abstract, snippet, added, theme, tags
    )
    echo(str(path))
    if hint:
        echo(f"{path}: {hint}", err=True)


@cli.command(
    "build",
    short_help="Build the static site into site/.",
    epilog=_examples("sitegen build", "sitegen build --base-url /reading-list/ --output public"),
)
@ROOT_OPTION
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: ROOT/site].",
)
@click.option(
    "--base-url", default=None, help="Override base_url, e.g. /reading-list/ or https://host/reading-list/."
)
@click.option("--strict", is_flag=True, help="Treat warnings (unknown keys, unknown fields) as errors.")
@click.option(
    "--offline",
    is_flag=True,
    help="Link to index.html files, for a site opened from disk without JavaScript.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build clean: neither reuse nor keep anything in ROOT/.sitegen-cache/ (safe to delete anyway).",
)
@click.option("--verbose", "-v", is_flag=True, help="Print the time each stage took and the pages rendered.")
def build_command(
    root: Path,
    output: Path | None,
    base_url: str | None,
    strict: bool,
    offline: bool,
    no_cache: bool,
    verbose: bool,
) -> None:
    """Build the static site from content/ into site/ (atomically: a failed build keeps the old site)."""
    from contextlib import nullcontext
    from dataclasses import replace

    from sitegen.store import input_digests
    from sitegen.write import input_stamp, is_current

    config = replace(_load_config(root, strict, base_url), offline=offline)
    target = output or root / "site"
    started = time.perf_counter()
    with nullcontext() if no_cache else input_digests(config.cache_dir) as digests:
        stamp = input_stamp(config, strict, digests)
    if not no_cache and is_current(target, stamp):
        # Checked before the renderer is even imported: an unchanged rebuild costs a hash of the inputs.
        if verbose:
            echo(f"{'check':>10}  {(time.perf_counter() - started) * 1000:8.1f} ms")
        echo(f"{target} is up to date: no input changed since it was built")
        return
    from sitegen.build import build

    written, warnings = build(config, target, strict, echo if verbose else None, stamp, not no_cache)
    _echo_problems(warnings)
    if not config.site_url:
        # Once per build, and not a --strict failure: a preview or a build for disk needs no host.
        echo(
            f"sitegen.yaml: warning: base_url {config.base_url!r} is not a full URL, so feeds, the sitemap"
            " and canonical links use paths only and robots.txt names no sitemap; pass --base-url"
            " https://host/path/ when building for a host",
            err=True,
        )
    echo(f"Built {written} files into {target}")


@cli.command(
    "serve",
    short_help="Preview the site with live reload.",
    epilog=_examples("sitegen serve", "sitegen serve --port 8001 --open"),
)
@ROOT_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback shows the preview to your network.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
def serve_command(root: Path, host: str, port: int, open_browser: bool) -> None:
    """Preview the site: build into a temporary folder, serve it, rebuild and reload browsers on save."""
    from sitegen.build import Builder, BuildMode
    from sitegen.serve import serve

    def make_builder() -> Builder:
        return Builder(_load_config(root, False, None), BuildMode.PREVIEW)

    serve(make_builder, root, host, port, open_browser)


def _load_config(root: Path, strict: bool, base_url: str | None):
    from sitegen.config import load_config

    config, warnings = load_config(root, strict=strict)
    _echo_problems(warnings)
    return config.with_base_url(base_url) if base_url else config


def main() -> None:
    from sitegen.errors import SitegenError, problems_from

    try:
        cli(prog_name="sitegen")
    except Exception as exc:  # what no stage turned into a SitegenError still gets file and line
        SitegenError(problems_from(exc)).show()
        sys.exit(1)
