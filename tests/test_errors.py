"""One error path: any exception from loading, rendering or writing becomes problems with path:line,
printed the same by `sitegen build`, `sitegen check` (text and GitHub annotations) and the preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_sitegen
from test_rebuild import rebuild_loop, small_project

from sitegen.errors import Problem, SitegenError, problems_from
from sitegen.write import safe_relative


def break_template(root: Path) -> int:
    """A syntax error in base.html (a block never closed); returns its line."""
    base = root / "templates" / "base.html"
    lines = base.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if "<main" in line) + 1
    lines.insert(at, "{% if config.title %}")
    base.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, int]:
    """A project whose content is fine (so check renders it) and whose base template is not."""
    root = small_project(tmp_path / "project", papers=2)
    return root, break_template(root)


def test_check_finds_a_template_syntax_error_even_when_content_has_errors(broken):
    root, _ = broken
    (root / "content" / "papers" / "vision" / "paper-1.md").write_text("---\ntitle: [\n---\n")
    checked = run_sitegen("check", cwd=root, check=False)
    assert re.search(r"^templates/base\.html:\d+: template syntax error: ", checked.stdout, re.M)
    assert re.search(r"^content/papers/vision/paper-1\.md:\d+", checked.stdout, re.M)


def test_a_template_syntax_error_names_the_template_line_in_build_and_check(broken):
    root, _ = broken
    expected = re.compile(r"^templates/base\.html:(\d+): template syntax error: ", re.M)
    built = run_sitegen("build", cwd=root, check=False)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert expected.search(built.stderr), built.stderr
    checked = run_sitegen("check", cwd=root, check=False)
    assert checked.returncode == 1 and expected.search(checked.stdout), checked.stdout
    github = run_sitegen("check", "--format", "github", cwd=root, check=False)
    line = expected.search(built.stderr).group(1)
    assert f"::error file=templates/base.html,line={line},title=sitegen check::template syntax error" in (
        github.stdout
    )
    assert expected.search(checked.stdout).group(1) == line  # the same line everywhere


def test_the_preview_reports_the_same_problem(broken, tmp_path: Path):
    root, _ = broken
    base = root / "templates" / "base.html"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("{% if config.title %}\n", ""), encoding="utf-8")  # starts fine
    loop = rebuild_loop(root, tmp_path)
    base.write_text(text, encoding="utf-8")
    outcome = loop.rebuild({str(base)})
    built = run_sitegen("build", cwd=root, check=False)
    [problem] = outcome.problems
    assert str(problem).startswith(str(root / "templates" / "base.html") + ":")
    assert built.stderr.startswith(f"templates/base.html:{problem.line}: {problem.message}")


def test_a_template_runtime_error_names_the_template_line(tmp_path: Path):
    root = small_project(tmp_path / "project", papers=2)
    paper = root / "templates" / "paper.html"
    paper.write_text(paper.read_text().replace("{% block main %}", "{% block main %}{{ 1 // 0 }}", 1))
    built = run_sitegen("build", cwd=root, check=False)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert re.search(r"^templates/paper\.html:\d+: template error: ZeroDivisionError", built.stderr, re.M)


def test_a_bug_is_reported_as_one_with_where_it_happened():
    with pytest.raises(TypeError) as failed:
        safe_relative(None)  # a bug's usual shape: a value of the wrong type deep in a stage
    [problem] = problems_from(failed.value)
    assert problem.path == "sitegen/write.py" and problem.line is not None
    assert problem.message.startswith("internal error (TypeError: ")
    assert problem.message.endswith("please report this as a bug")


def test_file_errors_name_the_file():
    [problem] = problems_from(PermissionError(13, "Permission denied", "site/index.html"))
    assert str(problem) == "site/index.html: cannot read or write it (Permission denied)"
    given = SitegenError(Problem("content/x.md", "bad", 3, 4))
    assert problems_from(given) == given.problems
