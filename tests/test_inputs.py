"""Hostile content and config from a pull request, through the real command line: links out of the project,
bad URLs, control characters, YAML bombs and duplicate keys, oversized files, inputs that used to crash."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_sitegen, snapshot
from test_build import ABSTRACT, add_paper

from sitegen.build import Builder, BuildMode, Timings
from sitegen.config import load_config
from sitegen.errors import LINE_MAX, SitegenError
from sitegen.inputs import PAPER_MAX, InputProblem, YamlProblem, load_yaml, read_input, url_problem

SECRET = "sitegen-test-secret-7b41"
PAPERS = Path("content", "papers")
DUMP = f"Jul 29\n\nA Careful Study of Reading Lists\n\n{ABSTRACT}\n"


@pytest.fixture
def site(project: Path) -> Path:
    """A project with one paper and one imported dump, which every command accepts."""
    add_paper(project, "vision", "alpha-paper", "Alpha Paper")
    (project / "content" / "dumps" / "a.txt").write_text(DUMP)
    run_sitegen("import", cwd=project)
    return project


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the project that a hostile pull request links to."""
    folder = tmp_path / "outside"
    add_paper(folder, "vision", "leak", f"Leaked {SECRET}", body=f"{SECRET} {ABSTRACT}")
    (folder / "secret.txt").write_text(f"{SECRET}\n")
    (folder / "dump.txt").write_text(DUMP.replace("Careful", SECRET))
    return folder


def failed(result, *needles: str) -> str:
    """The output of a command that must have failed cleanly, saying each of ``needles``."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output
    return output


LINKS = {
    "static file": ("static/env.txt", "secret.txt"),
    "paper file": ("content/papers/vision/leak.md", "content/papers/vision/leak.md"),
    "theme folder": ("content/papers/interpretability", "content/papers/vision"),
    "template": ("templates/leak.html", "secret.txt"),
    "dump": ("content/dumps/leak.txt", "dump.txt"),
    "config": ("sitegen.yaml", "secret.txt"),
    "themes file": ("content/themes.yaml", "secret.txt"),
}


@pytest.mark.parametrize("link, target", LINKS.values(), ids=LINKS)
@pytest.mark.parametrize("command", ["build", "check", "import"])
def test_a_link_out_of_the_project_is_refused(site: Path, outside: Path, link: str, target: str, command):
    run_sitegen("build", cwd=site)
    before = snapshot(site / "site")
    (site / link).unlink(missing_ok=True)
    (site / link).symlink_to(outside / target)
    output = failed(run_sitegen(command, cwd=site, check=False), link, "outside the project")
    assert SECRET not in output
    assert snapshot(site / "site") == before


def test_classify_refuses_a_link_out_of_the_project(site: Path, outside: Path):
    link = "content/papers/vision/leak.md"
    (site / link).symlink_to(outside / link)  # its words would be the evidence classify prints
    output = failed(run_sitegen("classify", "Leaked notes", cwd=site, check=False), link, "outside")
    assert output.count(SECRET) == 0, output


def test_the_preview_refuses_a_link_out_of_the_project(site: Path, outside: Path):
    (site / "static" / "env.txt").symlink_to(outside / "secret.txt")
    config, _ = load_config(site)
    with pytest.raises(SitegenError, match="outside the project"):
        Builder(config, BuildMode.PREVIEW).render(Timings())


def test_the_preview_refuses_a_missing_papers_folder(site: Path):
    shutil.rmtree(site / PAPERS)
    config, _ = load_config(site)
    with pytest.raises(SitegenError, match="is missing"):
        Builder(config, BuildMode.PREVIEW).render(Timings())


def test_values_quoted_in_messages_are_cut_short(site: Path):
    long = {"status": "s" * 100_000, "k" * 100_000: 1, "tags": ["t" * 100_000, "T" * 100_000]}
    add_paper(site, "vision", "beta-paper", "Beta", **long)
    output = failed(run_sitegen("check", cwd=site, check=False), "beta-paper.md:")
    assert max(map(len, output.split("\n"))) < 500 + LINE_MAX


def test_links_inside_the_project_are_followed(site: Path):
    (site / "static" / "copy.css").symlink_to(site / "static" / "style.css")
    shelf = add_paper(site / "shelf", "interpretability", "beta-paper", "Beta Paper").parent
    (site / PAPERS / "interpretability").symlink_to(shelf, target_is_directory=True)
    run_sitegen("build", cwd=site)
    assert (site / "site" / "static" / "copy.css").read_bytes() == (
        site / "static" / "style.css"
    ).read_bytes()
    assert (site / "site" / "papers" / "beta-paper" / "index.html").is_file()


def test_a_link_loop_is_reported_not_a_crash(site: Path):
    (site / PAPERS / "loop").symlink_to(site / PAPERS / "loop")
    for command in ("build", "check"):
        failed(run_sitegen(command, cwd=site, check=False), "papers/loop", "symbolic link loop")


# --- URLs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, value",
    [
        ("repository", "javascript:alert(1)"),
        ("repository", "https://github.com/o/r\"onmouseover='x'"),
        ("repository", "data:text/html,x"),
        ("base_url", 'https://h"onmouseover=alert(1)/x/'),
        ("base_url", "javascript://x/%0aalert(1)"),
    ],
)
def test_url_valued_config_keys_must_be_http_urls(site: Path, key: str, value: str):
    (site / "sitegen.yaml").write_text(f"{key}: {json.dumps(value)}\n")
    for command in ("build", "check"):
        failed(run_sitegen(command, cwd=site, check=False), "sitegen.yaml:1", f"Config value '{key}'")
    assert not (site / "site").exists()


def test_the_url_validator_accepts_web_urls_only():
    good = [
        "https://github.com/o/r",
        "http://example.org/a?b=c#d",
        "https://[::1]:8000/x",
        "https://bücher.de/",
    ]
    assert [url_problem(url) for url in good] == [None] * len(good)
    bad = ["javascript:alert(1)", "//host/x", "ftp://h/x", "https://", "https://h/a b", "https://h/\x1b"]
    for url in [*bad, "https://a&b.example/", "https://h:port/", "http://h..example/"]:
        assert url_problem(url), url


def test_note_links_other_than_web_urls_are_errors(site: Path):
    notes = "See [x](data:text/html,boo), [f](ftp://h/x), [m](mailto:a@b.c) and [w](https://h/x)."
    add_paper(site, "vision", "noted", "Noted", notes=notes)
    output = failed(run_sitegen("check", cwd=site, check=False), "noted.md:")
    assert "'data:text/html,boo' must be an http" in output and "'ftp://h/x' must be" in output
    assert "mailto:" not in output and "https://h/x" not in output


# --- Control characters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, body",
    [
        ('"Bad \\e[31m title"', ABSTRACT),
        ('"Bad \\ud800 * title"', ABSTRACT),  # a lone surrogate; the "*" takes the pure-Python loader
        ("Fine", f"Bad \x1b[2J {ABSTRACT}"),
    ],
)
def test_control_characters_in_a_paper_fail_check_and_build(site: Path, title: str, body: str):
    path = site / PAPERS / "vision" / "alpha-paper.md"
    path.write_text(f"---\nid: x\ntitle: {title}\n---\n\n{body}\n")
    run_sitegen("build", cwd=site, check=False)
    for command in ("check", "build"):
        output = failed(run_sitegen(command, cwd=site, check=False), "alpha-paper.md:", "control character")
        assert "\x1b" not in output


def test_control_characters_in_config_and_themes_are_errors(site: Path):
    themes = 'themes:\n- slug: vision\n  title: "Vision\\x1b[31m"\n  description: Seeing.\n'
    (site / "content" / "themes.yaml").write_text(themes)
    failed(run_sitegen("build", cwd=site, check=False), "themes.yaml:3:", "control character")
    (site / "sitegen.yaml").write_text('title: "\\x07"\n')
    failed(run_sitegen("check", cwd=site, check=False), "sitegen.yaml:1:", "control character")


def test_import_rejects_control_characters_naming_the_line(site: Path):
    (site / "content" / "dumps" / "b.txt").write_text(DUMP.replace("Careful", "Care\x07ful"))
    failed(run_sitegen("import", cwd=site, check=False), "b.txt:3:", "control character")


# --- YAML ---------------------------------------------------------------------------------------------------

# Each level holds eight of the one before: 8**6 values from 190 bytes.
BOMB = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 8)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
)


def test_yaml_aliases_are_refused_in_papers_and_config(site: Path):
    path = site / PAPERS / "vision" / "alpha-paper.md"
    path.write_text(f"---\nid: x\ntitle: T\n{BOMB}added: *f\n---\n\n{ABSTRACT}\n")
    output = failed(run_sitegen("check", cwd=site, check=False), "alpha-paper.md:", "aliases")
    assert max(map(len, output.split("\n"))) < 500
    path.unlink()
    (site / "sitegen.yaml").write_text(f"{BOMB}title: *f\n")
    output = failed(run_sitegen("build", cwd=site, check=False), "sitegen.yaml:", "aliases")
    assert max(map(len, output.split("\n"))) < 500


def test_duplicate_keys_are_errors_with_both_lines(site: Path):
    path = site / PAPERS / "vision" / "alpha-paper.md"
    path.write_text(f"---\nid: x\ntitle: First\ntags: []\ntitle: Second\n---\n\n{ABSTRACT}\n")
    failed(
        run_sitegen("check", cwd=site, check=False), "alpha-paper.md:5:", "'title' is given twice", "line 3"
    )
    path.unlink()
    (site / "sitegen.yaml").write_text("title: A\ntitle: B\n")
    failed(run_sitegen("build", cwd=site, check=False), "sitegen.yaml:2:", "'title' is given twice")


def test_a_star_in_a_quoted_string_is_not_an_alias():
    assert load_yaml("title: 'A * B'\nnotes: \"*x*\"\n") == {"title": "A * B", "notes": "*x*"}
    with pytest.raises(YamlProblem):  # the pure-Python reader refuses this as it opens the text
        load_yaml("title: '*\x1f'")


@pytest.mark.parametrize(
    "text",
    ["a: &x 1\nb: [*x]\n", "a: &x 1\nb: {c: *x}\n", "a: &x 1\nb:\n- *x\n", "a: &x 1\n? *x\n: 2\n"],
)
def test_an_alias_is_refused_wherever_it_stands(text: str):
    with pytest.raises(YamlProblem, match="aliases"):
        load_yaml(text)


def test_stars_in_keys_plain_values_and_comments_are_not_aliases():
    text = "# 'word*' matches words starting with word\nkeywords:\n  interpret*: 3\n  a*b: x*y\n"
    assert load_yaml(text) == {"keywords": {"interpret*": 3, "a*b": "x*y"}}


# --- Size caps ----------------------------------------------------------------------------------------------


def test_an_oversized_paper_is_an_error_naming_the_file(site: Path):
    add_paper(site, "vision", "huge", "Huge", body="word " * (PAPER_MAX // 5))
    for command in ("check", "build"):
        failed(run_sitegen(command, cwd=site, check=False), "huge.md", "larger than the 1 MB")


def test_a_file_is_read_whole_up_to_its_cap_and_refused_one_byte_past_it(tmp_path: Path):
    path = tmp_path / "f.txt"
    for size in (0, 1, 4095, 4096):
        path.write_bytes(b"x" * size)
        assert read_input(path, 4096) == b"x" * size
    path.write_bytes(b"x" * 4097)
    with pytest.raises(InputProblem, match="larger than"):
        read_input(path, 4096)


def test_an_oversized_dump_is_refused(site: Path):
    with open(site / "content" / "dumps" / "big.txt", "w") as dump:
        dump.write(DUMP)
        dump.write(("x" * 1023 + "\n") * (20 * 1024 + 1))
    failed(run_sitegen("import", cwd=site, check=False), "big.txt", "larger than the 20 MB")


# --- No traceback, ever -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "front, where",
    [
        ("added: 2024-02-30", "alpha-paper.md:2:"),
        ("id: " + "5" * 5000, "alpha-paper.md:2:"),
        ("notes: " + "[" * 200 + "*x" + "]" * 200, "alpha-paper.md:"),
    ],
)
def test_impossible_values_in_a_paper_name_their_line(site: Path, front: str, where: str):
    path = site / PAPERS / "vision" / "alpha-paper.md"
    path.write_text(
        f"---\n{front}\ntitle: T\n{'added: 2024-01-01' if 'added' not in front else ''}\n---\n\n{ABSTRACT}\n"
    )
    for command in ("check", "build"):
        failed(run_sitegen(command, cwd=site, check=False), where)


@pytest.mark.parametrize(
    "config",
    [
        b"title: !!timestamp 2024-02-30\n",
        b"title: Caf\xe9\n",
        b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        None,
    ],
    ids=["impossible date", "latin-1", "deep nesting", "a folder"],
)
def test_a_broken_config_is_a_message_naming_it(site: Path, config: bytes | None):
    path = site / "sitegen.yaml"
    path.unlink()
    if config is None:
        path.mkdir()
    else:
        path.write_bytes(config)
    for command in ("check", "build", "import"):
        failed(run_sitegen(command, cwd=site, check=False), "sitegen.yaml")


def test_a_template_error_names_the_template(site: Path):
    (site / "templates" / "paper.html").write_text("{% block %}\n{{ broken(\n")
    failed(run_sitegen("build", cwd=site, check=False), "paper.html:1")
    (site / "templates" / "paper.html").write_text("line one\n{{ paper.nothing.here }}\n")
    failed(run_sitegen("build", cwd=site, check=False), "paper.html:2")


def test_an_unwritable_project_is_a_message(site: Path):
    # Tests run as root, for whom no folder is read-only: a file where a folder must go fails the same way.
    # The build cache is only a cache: a file in its place is said and left alone, and the build goes on.
    (site / ".sitegen-cache").write_text("in the way")
    built = run_sitegen("build", cwd=site)
    assert ".sitegen-cache: warning: cannot be used safely" in built.stderr
    assert (site / ".sitegen-cache").read_text() == "in the way"
    (site / ".sitegen-cache").unlink()
    failed(run_sitegen("build", "--output", "/proc/sitegen/site", cwd=site, check=False), "/proc/sitegen")


def test_a_missing_papers_folder_is_refused_and_the_site_kept(site: Path):
    run_sitegen("build", cwd=site)
    before = snapshot(site / "site")
    (site / PAPERS).rename(site / "elsewhere")
    for command in ("build", "check"):
        failed(run_sitegen(command, cwd=site, check=False), "content/papers", "is missing")
    assert snapshot(site / "site") == before


def test_a_paper_in_a_dot_folder_is_warned_about(site: Path):
    add_paper(site, ".drafts", "beta-paper", "Beta Paper")
    for command in ("build", "check"):
        result = run_sitegen(command, cwd=site, check=False)
        assert re.search(r"\.drafts/beta-paper\.md: warning: .* leaves it out", result.stdout + result.stderr)
