"""How `sitegen check` prints what it found: text lines and GitHub Actions annotations."""

from __future__ import annotations

import re
from pathlib import Path

from checked_project import check, first_theme, lines
from test_build import add_paper

from sitegen.errors import Problem
from sitegen.report import format_github


def test_github_format_prints_annotations(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "extra-field", "Extra Field", id="extra", colour="blue")
    (clean / "content" / "papers" / theme / "broken.md").write_text("---\nid: x\ntitle: [\n---\n\nBody.\n")
    result = check(clean, "--format", "github")
    assert result.returncode == 1
    out = lines(result)
    assert any(
        re.fullmatch(
            rf"::error file=content/papers/{theme}/broken.md,line=\d+,col=\d+,title=sitegen check::"
            r"front matter is not valid YAML .*",
            line,
        )
        for line in out
    ), out
    assert (
        f"::warning file=content/papers/{theme}/extra-field.md,line=8,col=1,title=sitegen check::"
        "unknown front matter field 'colour' (known fields: id, title, arxiv, published, code, sources, "
        "added, status, tags, notes, related, classified)"
    ) in out
    assert out[-1].endswith(": 1 error, 1 warning")


def test_github_format_escapes_per_the_workflow_command_rules():
    problem = Problem("dir,x/a:b.md", "100% sure\r\nsecond line", 3, 4)
    assert format_github(problem) == (
        "::error file=dir%2Cx/a%3Ab.md,line=3,col=4,title=sitegen check::100%25 sure%0D%0Asecond line"
    )
    assert (
        format_github(Problem("x.md", "w", severity="warning"))
        == "::warning file=x.md,title=sitegen check::w"
    )
    assert format_github(Problem("x.md", "w", severity="warning"), strict=True).startswith("::error ")
