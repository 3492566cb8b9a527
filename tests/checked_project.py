"""A project that passes `sitegen check`, and how the check tests run it: a pytest plugin (see conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import make_project, run_sitegen
from test_build import add_paper


def theme_slugs(root: Path) -> list[str]:
    return [t["slug"] for t in yaml.safe_load((root / "content" / "themes.yaml").read_text())["themes"]]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return make_clean(tmp_path / "project")


def make_clean(root: Path) -> Path:
    """A project that passes the check: one paper per declared theme, links between them in notes."""
    make_project(root)
    slugs = theme_slugs(root)
    for number, theme in enumerate(slugs):
        add_paper(root, theme, f"paper-{number}", f"Paper number {number}", id=f"id{number:04d}")
    add_paper(
        root,
        slugs[0],
        "noted-paper",
        "A Paper With Notes",
        id="noted",
        notes=f"See [zero](../paper-0/), [theme](../../themes/{slugs[1]}/), [search](../../search/?q=x),"
        " [feed](../../feed.xml), [home](../../), [self](#abstract) and [web](https://arxiv.org/).",
    )
    return root


def check(root: Path, *args: str):
    return run_sitegen("check", *args, cwd=root, check=False)


def lines(result) -> list[str]:
    return result.stdout.strip().split("\n")


def first_theme(root: Path) -> str:
    return theme_slugs(root)[0]
