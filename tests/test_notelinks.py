"""Links in curator notes, checked by `sitegen check` through the real command line."""

from __future__ import annotations

from pathlib import Path

from checked_project import check, first_theme, lines
from test_build import add_paper


def test_broken_internal_links_in_notes(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "excluded-one", "Excluded One", id="exone", status="excluded")
    notes = (
        "Compare [a](../noted-papr/), [b](../excluded-one/) and\n[c](../../themes/nope/), [d](../../about/)."
    )
    path = add_paper(clean, theme, "linker", "Linker", id="linker", notes=notes)
    result = check(clean)
    assert result.returncode == 1
    out = result.stdout
    rel = f"content/papers/{theme}/linker.md"
    line = next(n for n, t in enumerate(path.read_text().split("\n"), 1) if "../noted-papr/" in t)
    column = path.read_text().split("\n")[line - 1].index("../noted-papr/") + 1
    expected = (
        f"{rel}:{line}:{column}: broken link in notes: '../noted-papr/': there is no paper 'noted-papr'"
    )
    assert expected + " (did you mean 'noted-paper'?)" in out
    assert "'../excluded-one/': paper 'excluded-one' is excluded, so it has no page" in out
    assert "'../../themes/nope/': there is no theme 'nope'" in out
    assert "'../../about/': the site has no page /about/" in out
    assert lines(result)[-1].endswith(": 4 errors")


def test_root_relative_note_links_are_errors_with_the_relative_link_to_write(clean: Path):
    add_paper(clean, first_theme(clean), "rooted", "Rooted", id="rooted", notes="[x](/papers/paper-1/)")
    result = check(clean)
    assert result.returncode == 1
    assert "note link '/papers/paper-1/' is root-relative" in result.stdout
    assert "'../../papers/paper-1/'" in result.stdout


def test_a_link_to_a_page_without_its_trailing_slash_is_a_warning_naming_the_fix(clean: Path):
    theme = first_theme(clean)
    path = add_paper(clean, theme, "slashless", "Slashless", id="slashless", notes="See [one](../paper-1).")
    result = check(clean, "--strict")
    line = next(n for n, t in enumerate(path.read_text().split("\n"), 1) if "../paper-1" in t)
    assert result.returncode == 1
    assert (
        f"content/papers/{theme}/slashless.md:{line}:" in result.stdout
        and "warning: note link '../paper-1' points at a folder (add a trailing slash" in result.stdout
    ), result.stdout
    assert check(clean).returncode == 0
