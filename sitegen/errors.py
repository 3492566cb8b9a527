"""The one user-facing exception type: stages raise it, only the CLI prints it and exits; and the one
translation of any other exception into problems naming a file, line and column."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, printed as ``path:line: message``."""

    path: Path | str
    message: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # or "warning", or "notice" (for a reviewer's attention; never fails a run)

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {prefix}{self.message}"


# C0 and C1 control characters, DEL and the Unicode line breaks: untrusted text (a file name, a YAML string)
# holding them could start a new line that forges a CI workflow command (`::error::`), or drive the terminal.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]"
)  # and a file name's undecodable bytes
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\n``, ``\\x1b``): one line, inert."""
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m[0]) or ascii(m[0])[1:-1], text)


LINE_MAX = 2000  # characters of one printed line: a value no message cut short cannot flood the terminal


def echo(text: str, err: bool = False) -> None:
    """Print one line: every line sitegen prints goes through here."""
    line = printable(text)
    if len(line) > LINE_MAX:
        line = f"{line[:LINE_MAX]}... ({len(line) - LINE_MAX} more characters)"
    click.echo(line, err=err)


class SitegenError(click.ClickException):
    """An input or usage problem the user can fix; carries every problem found, not only the first."""

    exit_code = 1

    def __init__(self, problems: Problem | Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("sitegen", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        # click prefixes "Error: "; problems already say where and what.
        for problem in self.problems:
            echo(str(problem), err=True)
        count = sum(1 for p in self.problems if p.severity == "error")
        if count > 1:
            echo(f"{count} errors", err=True)


def error(path: Path | str, message: str, line: int | None = None, column: int | None = None) -> SitegenError:
    """Shorthand for a single-problem error."""
    return SitegenError(Problem(path, message, line, column))


def problems_from(exc: BaseException) -> tuple[Problem, ...]:
    """Any exception from loading, rendering or writing as problems with ``path:line``: what `build`,
    `check` and `serve` all report. A template's mistake names the template line; an error no input
    explains is a bug in sitegen, reported as such with where it happened (never as a traceback)."""
    import jinja2  # only on the way out of a failure: keeps `sitegen --help` fast

    if isinstance(exc, SitegenError):
        return exc.problems
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "templates"
        return (Problem(where, f"template syntax error: {exc.message}", exc.lineno),)
    frames = traceback.extract_tb(exc.__traceback__)
    # While a template runs, Jinja rewrites the traceback so that a frame is the template's line.
    in_template = [f for f in frames if not f.filename.endswith(".py") and not f.filename.startswith("<")]
    if in_template:
        return (
            Problem(in_template[-1].filename, f"template error: {_describe(exc)}", in_template[-1].lineno),
        )
    if isinstance(exc, jinja2.TemplateNotFound):  # a page's own template is not there
        return (Problem(f"templates/{exc.name}", "template not found: the site needs it"),)
    if isinstance(exc, OSError):
        return (Problem(exc.filename or "sitegen", f"cannot read or write it ({exc.strerror or exc})"),)
    return (_internal_error(exc, frames),)


def _internal_error(exc: BaseException, frames: traceback.StackSummary) -> Problem:
    """A bug: where in sitegen it happened (its innermost frame in this package), for the report."""
    package = Path(__file__).parent
    ours = [f for f in frames if Path(f.filename).parent == package]
    if ours:
        where, line = f"sitegen/{Path(ours[-1].filename).name}", ours[-1].lineno
    else:
        where, line = (frames[-1].filename, frames[-1].lineno) if frames else ("sitegen", None)
    return Problem(where, f"internal error ({_describe(exc)}); please report this as a bug", line)


@contextmanager
def failures_as_problems() -> Iterator[None]:
    """Raise whatever fails inside as a SitegenError with ``problems_from``."""
    try:
        yield
    except SitegenError:
        raise
    except Exception as exc:
        raise SitegenError(problems_from(exc)) from exc


def _describe(exc: BaseException) -> str:
    import jinja2

    if isinstance(exc, jinja2.UndefinedError):  # the usual mistake: a name the page does not give
        return f"{exc.message}; a template reads only what its page declares (see sitegen/pages.py)"
    return f"{type(exc).__name__}: {exc}"
