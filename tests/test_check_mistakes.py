"""The mistakes a curator's pull request makes, each failing `sitegen check --strict` with a located message
that says what to type; the ones that would publish wrongly are caught by the build and the preview too."""

from __future__ import annotations

import re
from pathlib import Path

from checked_project import check, first_theme, lines
from test_build import add_paper
from test_check import write_dump

from sitegen.build import Builder, BuildMode, Timings
from sitegen.config import load_config
from sitegen.frontmatter import format_paper


def where(root: Path, path: Path, needle: str) -> str:
    """``path:line:column`` of the first ``needle`` in the file, as check prints it."""
    for number, text in enumerate(path.read_text().split("\n"), 1):
        if needle in text:
            return f"{path.relative_to(root)}:{number}:{text.index(needle) + 1}"
    raise AssertionError(f"{needle!r} not in {path}")


def test_a_misspelt_field_is_an_error_naming_the_field_meant(clean: Path):
    theme = first_theme(clean)
    typo = add_paper(clean, theme, "typo", "Typo", id="typo", stauts="excluded")
    note = add_paper(clean, theme, "note", "Note", id="note", note="Read it.")
    result = check(clean)
    assert result.returncode == 1
    assert f"{where(clean, typo, 'stauts')}: unknown front matter field 'stauts': did you mean 'status'?" in (
        result.stdout
    )
    assert f"{where(clean, note, 'note:')}: unknown front matter field 'note': did you mean 'notes'?" in (
        result.stdout
    )
    assert lines(result)[-1].endswith(": 2 errors")


def test_dates_must_be_on_the_calendar_quoted_or_not(clean: Path):
    theme = first_theme(clean)
    quoted = add_paper(clean, theme, "quoted", "Quoted", id="quoted", added="2024-13-45")
    bare = add_paper(clean, theme, "bare", "Bare", id="bare")
    bare.write_text(bare.read_text().replace("added: '2026-11-01'", "added: 2024-02-30"))
    result = check(clean)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    message = "'added' must be a real date written YYYY-MM-DD (e.g. '2026-11-01'), not "
    quoted_at = where(clean, quoted, "'2024-13-45'")
    assert f"{quoted_at}: {message}'2024-13-45'" in result.stdout
    assert f"{where(clean, bare, '2024-02-30')}: {message}'2024-02-30'" in result.stdout
    build = run_build(clean)
    assert build.returncode == 1 and "Traceback" not in build.stderr and "2024-02-30" in build.stderr


def run_build(root: Path, *args: str):
    from conftest import run_sitegen

    return run_sitegen("build", *args, cwd=root, check=False)


def test_tags_one_spelling_warns_and_the_site_shows_it_in_lower_case(clean: Path):
    theme = first_theme(clean)
    upper = add_paper(clean, theme, "upper", "Upper", id="upper", tags=["SAE", "probing"])
    add_paper(clean, theme, "lower-a", "Lower A", id="lowera", tags=["sae"])
    add_paper(clean, theme, "lower-b", "Lower B", id="lowerb", tags=["sae"])
    result = check(clean)
    assert result.returncode == 0
    line = upper.read_text().split("\n").index("tags:") + 1
    assert (
        f"{upper.relative_to(clean)}:{line}: warning: tag 'SAE' is written 'sae' in 2 other place(s): "
        "use one spelling (the site shows 'sae')"
    ) in result.stdout
    assert check(clean, "--strict").returncode == 1
    run_build(clean)
    page = (clean / "site" / "papers" / "upper" / "index.html").read_text()
    assert ">sae</a>" in page and ">SAE<" not in page
    assert ">sae <span" in (clean / "site" / "tags" / "index.html").read_text()


def test_tags_sharing_a_page_are_an_error_and_odd_characters_are_named(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "plus", "Plus", id="plus", tags=["c++"])
    minus = add_paper(clean, theme, "minus", "Minus", id="minus", tags=["c--"])
    odd = add_paper(clean, theme, "odd", "Odd", id="odd", tags=["<b>bold</b>"])
    result = check(clean)
    assert result.returncode == 1
    line = minus.read_text().split("\n").index("tags:") + 1
    assert re.search(
        rf"^{minus.relative_to(clean)}:{line}: tag 'c--' and tag 'c\+\+' \(\S+plus\.md\) would both be the "
        r"page /tags/c/: rename one",
        result.stdout,
        re.M,
    ), result.stdout
    assert f"{odd.relative_to(clean)}:" in result.stdout
    assert (
        "tag '<b>bold</b>' has '/' '<' '>': tags use letters, digits, spaces and - + . # _" in result.stdout
    )


def test_a_theme_with_no_visible_paper_is_reported_by_check_build_and_preview(clean: Path):
    theme = first_theme(clean)
    for path in (clean / "content" / "papers" / theme).glob("*.md"):
        path.write_text(path.read_text().replace("added:", "status: excluded\nadded:"))
    message = f"theme '{theme}' has no visible paper (all its papers are excluded), so its page is empty"
    result = check(clean, "--strict")
    assert result.returncode == 1
    assert re.search(rf"^content/themes.yaml:\d+: warning: {re.escape(message)}", result.stdout, re.M)
    build = run_build(clean)
    assert build.returncode == 0 and message in build.stderr
    assert run_build(clean, "--strict").returncode == 1
    # What `sitegen serve` builds and prints:
    preview = Builder(load_config(clean)[0], BuildMode.PREVIEW).render(Timings())
    assert any(message in str(w) for w in preview.warnings)


def test_a_folder_close_to_a_theme_gets_did_you_mean(clean: Path):
    add_paper(clean, "interpretabilty", "lost", "Lost", id="lost")
    result = check(clean)
    assert (
        "content/papers/interpretabilty/lost.md: folder 'interpretabilty' is not a theme in themes.yaml; "
        "did you mean 'interpretability'? (git mv the file to content/papers/interpretability/)"
    ) in result.stdout


def test_a_nested_paper_is_told_where_to_move_never_to_import_again(clean: Path):
    theme = first_theme(clean)
    nested = clean / "content" / "papers" / theme / "drafts" / "careful.md"
    nested.parent.mkdir()
    nested.write_text(
        format_paper({"id": "careful", "title": "Careful Reading", "sources": [{"file": "d.txt"}]}, "Text.")
    )
    write_dump(clean, "d.txt", "Careful Reading")
    result = check(clean)
    assert result.returncode == 1
    assert (
        f"content/papers/{theme}/drafts/careful.md: is not in a theme folder, so the site leaves it out: "
        f"move it to content/papers/{theme}/ (git mv content/papers/{theme}/drafts/careful.md "
        f"content/papers/{theme}/careful.md)"
    ) in result.stdout
    assert "sitegen import" not in result.stdout and lines(result)[-1].endswith(": 1 error")


def test_a_copied_paper_file_is_one_error(clean: Path):
    theme = first_theme(clean)
    original = clean / "content" / "papers" / theme / "paper-0.md"
    copy = clean / "content" / "papers" / "vision" / "paper-0.md"
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(original.read_text())
    result = check(clean)
    first, second = sorted([original.relative_to(clean), copy.relative_to(clean)], key=str)
    assert (
        f"{second}:2: duplicates {first} (same id and title and file name): delete one, or give it a new id"
    ) in result.stdout
    assert lines(result)[-1].endswith(": 1 error")


def test_yaml_errors_point_at_the_opening_quote_and_name_tabs(clean: Path):
    theme = first_theme(clean)
    quote = clean / "content" / "papers" / theme / "paper-0.md"
    quote.write_text("---\nid: x1\ntitle: 'unclosed\nadded: 2026-11-01\nnotes: x\n---\n\nBody.\n")
    tab = clean / "content" / "papers" / theme / "paper-1.md"
    tab.write_text("---\nid: x2\ntitle: Tabbed\ntags:\n\t- a\n---\n\nBody.\n")
    out = check(clean).stdout
    assert (
        f"{quote.relative_to(clean)}:3:8: front matter is not valid YAML (the ' opened here is never closed"
        in out
    )
    assert (
        f"{tab.relative_to(clean)}:5:1: front matter is not valid YAML (a tab character: YAML indents with "
        "spaces; replace the tab with spaces)"
    ) in out


def test_a_template_block_the_parent_never_defines_is_an_error(clean: Path):
    page = clean / "templates" / "paper.html"
    text = page.read_text()
    name = re.search(r"{%-?\s*block\s+(\w+)", text).group(1)
    page.write_text(text.replace(f"block {name}", "block mian", 1))
    result = check(clean)
    assert result.returncode == 1
    line = page.read_text()[: page.read_text().index("block mian")].count("\n") + 1
    assert re.search(
        rf"^templates/paper.html:{line}: block 'mian' is not a block of \S+: its content never shows",
        result.stdout,
        re.M,
    ), result.stdout
    assert run_build(clean).returncode == 1


def test_a_template_syntax_error_is_located_in_its_file_by_check_and_build(clean: Path):
    base = clean / "templates" / "base.html"
    text = base.read_text().split("\n")
    text[2] += " {% if %}"
    base.write_text("\n".join(text))
    expected = "templates/base.html:3: template syntax error: "
    assert expected in check(clean).stdout
    github = check(clean, "--format", "github").stdout
    assert "::error file=templates/base.html,line=3,title=sitegen check::template syntax error: " in github
    build = run_build(clean)
    assert build.returncode == 1 and expected in build.stderr and "Traceback" not in build.stderr
