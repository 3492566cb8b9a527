"""Random front matter, config and dump text through `check`, `build` and `import`: whatever a pull request
holds, the answer is exit 0 or 1 and, on 1, a message naming the file; never a traceback.

Bounded for CI: a few dozen examples per test (``HYPOTHESIS_PROFILE=long`` runs many more)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_build import ABSTRACT, add_paper

from sitegen.cli import cli
from sitegen.frontmatter import FIELDS

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Text as curators (and attackers) type it: any character, with YAML's and Markdown's specials common.
TEXT = st.text(st.one_of(st.characters(), st.sampled_from(list(":-[]{}&*!|>'\"#%@`\n\t $\\<"))), max_size=40)
SCALARS = st.one_of(
    TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.dates().map(str), st.just("2024-02-30")
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4))
)
KEYS = st.one_of(st.sampled_from([*FIELDS, "title", "base_url", "repository", "statuses"]), TEXT)


def as_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# Either well-formed YAML with hostile keys and values, or any text at all.
YAML_TEXT = st.one_of(st.dictionaries(KEYS, VALUES, max_size=6).map(as_yaml), TEXT)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that passes the check: one theme, one paper."""
    root = make_project(tmp_path_factory.mktemp("fuzz") / "project")
    theme = {"slug": "vision", "title": "Vision", "description": "Seeing.", "keywords": {"image": 5}}
    (root / "content" / "themes.yaml").write_text(as_yaml({"themes": [theme]}))
    add_paper(root, "vision", "alpha-paper", "Alpha Paper")
    assert run(root, "check").exit_code == 0
    return root


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, [*args, "--root", str(root)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the failure hypothesis shrinks and reports
    return result


def answers_cleanly(root: Path, command: str, file: str) -> None:
    result = run(root, command)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert file in result.output, result.output


def fresh(base: Path) -> Path:
    root = base.with_name("example")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(base, root, symlinks=True)
    return root


@given(front=YAML_TEXT, body=st.one_of(TEXT, st.just(ABSTRACT)))
def test_random_front_matter(base: Path, front: str, body: str):
    root = fresh(base)
    paper = root / "content" / "papers" / "vision" / "fuzz-paper.md"
    paper.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8", errors="surrogatepass")
    for command in ("check", "build"):
        answers_cleanly(root, command, "fuzz-paper.md")


@given(config=YAML_TEXT)
def test_random_config(base: Path, config: str):
    root = fresh(base)
    (root / "sitegen.yaml").write_text(config, encoding="utf-8", errors="surrogatepass")
    for command in ("check", "build"):
        answers_cleanly(root, command, "sitegen.yaml")


LINES = st.one_of(TEXT, st.just(ABSTRACT), st.sampled_from(["Jul 29", "Subscribe", "", "Daily Papers"]))


@given(lines=st.lists(LINES, max_size=12))
def test_random_dumps(base: Path, lines: list[str]):
    root = fresh(base)
    dump = root / "content" / "dumps" / "fuzz.txt"
    dump.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    answers_cleanly(root, "import", "fuzz.txt")
