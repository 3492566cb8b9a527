"""Every line sitegen prints shows untrusted text inert: no forged CI commands or terminal codes."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_sitegen
from test_build import add_paper

from sitegen.errors import printable


def forged(output: str) -> list[str]:
    """Lines a CI runner would read as workflow commands (``::error::``) or that hold raw control codes."""
    return [line for line in output.split("\n") if line.startswith("::") or "\x1b" in line or "\r" in line]


def test_printable_escapes_control_characters_and_line_breaks():
    text = "a\nb\r\x1b[31m\x07\x85\u2028\udcff é ✓"
    assert printable(text) == "a\\nb\\r\\x1b[31m\\x07\\x85\\u2028\\udcff é ✓"


def test_file_names_and_yaml_strings_cannot_forge_workflow_commands(project: Path):
    add_paper(project, "vision", "alpha-paper", "Alpha Paper")
    status = "x\n::stop-commands::token\n::error file=a::forged\r\n::set-output name=x::y"
    add_paper(project, "vision", "beta-paper", "Beta Paper", status=status)
    folder = project / "content" / "papers" / "vision"
    (folder / "beta-paper.md").rename(folder / "beta\n::error::forged\x1b[2J.md")
    (project / "sitegen.yaml").write_text(f"title: T\n{json.dumps('not-a-key' + status)}: 1\n")
    for command in ("build", "check", "import"):
        result = run_sitegen(command, cwd=project, check=False)
        output = result.stdout + result.stderr
        assert "beta\\n::error::forged\\x1b[2J.md" in output or command == "import", output
        assert "not-a-key" in output and "Traceback" not in output, output
        assert forged(output) == [], output
