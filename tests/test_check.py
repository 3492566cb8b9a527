"""`sitegen check` and `sitegen add` through the real command line, plus the CI and Pages workflows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from checked_project import check, first_theme, lines, theme_slugs
from conftest import REPO, make_project, run_sitegen, snapshot
from test_build import ABSTRACT, add_paper

DUMP_TITLE = "Careful Curation of Reading Lists at Scale"


# --- Passing ------------------------------------------------------------------------------------------------


def test_check_passes_on_the_corpus(corpus_project: Path):
    result = check(corpus_project, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    papers = len(list((corpus_project / "content" / "papers").glob("*/*.md")))
    themes = len(theme_slugs(corpus_project))
    assert lines(result)[-1] == f"Checked {papers} papers, {themes} themes, 5 dumps: no problems"


def test_check_passes_on_a_clean_project_and_writes_nothing(clean: Path):
    before = snapshot(clean)
    result = check(clean)
    assert result.returncode == 0, result.stdout
    assert lines(result)[-1].endswith(": no problems")
    assert snapshot(clean) == before and not (clean / "site").exists()


def test_check_writes_nothing_when_it_fails(clean: Path):
    (clean / "content" / "papers" / first_theme(clean) / "paper-0.md").write_text("---\ntitle: [\n---\n\nx\n")
    before = snapshot(clean)
    assert check(clean).returncode == 1
    assert snapshot(clean) == before


# --- One test per problem kind ------------------------------------------------------------------------------


def test_yaml_error_names_file_line_and_column(clean: Path):
    path = clean / "content" / "papers" / first_theme(clean) / "paper-0.md"
    path.write_text("---\nid: x1\ntitle: 'unclosed\nadded: 2026-11-01\n---\n\nBody.\n")
    result = check(clean)
    assert result.returncode == 1
    where = rf"^content/papers/{first_theme(clean)}/paper-0.md:\d+:\d+: "
    assert re.search(where + "front matter is not valid YAML", result.stdout, re.M)


def test_required_fields_and_types(clean: Path):
    theme = first_theme(clean)
    path = clean / "content" / "papers" / theme / "paper-0.md"
    path.write_text("---\ntitle: ''\ntags: not-a-list\n---\n\nBody.\n")
    result = check(clean)
    assert result.returncode == 1
    out = result.stdout
    assert f"content/papers/{theme}/paper-0.md:2: front matter field 'id' is required" in out
    assert f"content/papers/{theme}/paper-0.md:2: front matter field 'title' is required" in out
    assert f"content/papers/{theme}/paper-0.md:3: 'tags' must be a list of strings" in out


def test_unknown_field_is_a_warning_and_strict_makes_it_an_error(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "extra-field", "Extra Field", id="extra", colour="blue")
    result = check(clean)
    assert result.returncode == 0
    expected = f"content/papers/{theme}/extra-field.md:8:1: warning: unknown front matter field 'colour'"
    assert expected in result.stdout
    assert lines(result)[-1].endswith(": 0 errors, 1 warning")
    strict = check(clean, "--strict")
    assert strict.returncode == 1 and lines(strict)[-1].endswith(": 1 error")


def test_paper_in_a_folder_that_is_not_a_theme(clean: Path):
    add_paper(clean, "not-a-theme", "lost-paper", "Lost Paper", id="lost")
    result = check(clean)
    assert result.returncode == 1
    assert "content/papers/not-a-theme/lost-paper.md: folder 'not-a-theme' is not a theme in themes.yaml" in (
        result.stdout
    )


def test_theme_without_a_folder_names_its_line_in_themes_yaml(clean: Path):
    theme = theme_slugs(clean)[-1]
    for path in (clean / "content" / "papers" / theme).glob("*.md"):
        path.unlink()
    text = (clean / "content" / "themes.yaml").read_text()
    line = next(
        n for n, t in enumerate(text.split("\n"), 1) if re.match(rf"\s*-?\s*slug:\s*['\"]?{theme}\b", t)
    )
    result = check(clean, "--strict")
    assert result.returncode == 1
    assert (
        f"content/themes.yaml:{line}: warning: theme '{theme}' has no visible paper "
        f"(no paper is in content/papers/{theme}/), so its page is empty"
    ) in result.stdout


def test_duplicate_ids_and_titles_across_files(clean: Path):
    slugs = theme_slugs(clean)
    add_paper(clean, slugs[1], "copy-of-zero", "PAPER   number 0!", id="other-id")
    add_paper(clean, slugs[2], "same-id", "Something Else", id="id0001")
    out = check(clean).stdout
    a = f"content/papers/{slugs[0]}/paper-0.md"
    b = f"content/papers/{slugs[1]}/copy-of-zero.md"
    first, second = sorted([a, b])
    assert f"{second}: has the same title as {first}: the same paper twice? delete one" in out
    c = f"content/papers/{slugs[1]}/paper-1.md"
    assert f"content/papers/{slugs[2]}/same-id.md:2: duplicates {c} (same id): delete one" in out
    assert lines(check(clean))[-1].endswith(": 2 errors")


def test_file_name_must_be_a_slug_and_stray_files_are_reported(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "Bad_Name", "Bad Name", id="bad")
    (clean / "content" / "papers" / theme / "draft.txt").write_text("x")
    (clean / "content" / "papers" / "top-level.md").write_text("x")
    (clean / "content" / "papers" / theme / ".gitkeep").write_text("")
    result = check(clean)
    assert result.returncode == 1
    out = result.stdout
    assert f"content/papers/{theme}/Bad_Name.md: file name must be a slug" in out
    assert f"content/papers/{theme}/draft.txt: not a paper file" in out
    assert "content/papers/top-level.md: is not in a theme folder, so the site leaves it out" in out
    assert ".gitkeep" not in out


def write_dump(root: Path, name: str, *titles: str) -> Path:
    path = root / "content" / "dumps" / name
    path.write_text("Jul 29\n\n" + "".join(f"{t}\n\n{ABSTRACT}\n\n" for t in titles), encoding="utf-8")
    return path


def test_dump_that_was_never_imported(clean: Path):
    write_dump(clean, "new.txt", "Paper number 0", DUMP_TITLE)
    result = check(clean)
    assert result.returncode == 1
    out = result.stdout
    assert (
        f"content/dumps/new.txt:7: paper '{DUMP_TITLE}' was never imported; "
        "run `sitegen import` and commit the changed files"
    ) in out
    # Paper number 0 is on disk, but its sources do not list new.txt: import would change its file.
    assert "content/dumps/new.txt:3: paper 'Paper number 0' is in content/papers/" in out
    run_sitegen("import", cwd=clean)
    assert check(clean).returncode == 0


def test_an_excluded_paper_counts_as_imported(clean: Path):
    add_paper(clean, first_theme(clean), "dropped", DUMP_TITLE, id="dropped", status="excluded",
              sources=[{"file": "new.txt"}])  # fmt: skip
    write_dump(clean, "new.txt", DUMP_TITLE)
    result = check(clean)
    assert result.returncode == 0, result.stdout


def test_every_problem_is_reported_not_only_the_first(clean: Path):
    theme = first_theme(clean)
    for name in ("one", "two", "three"):
        (clean / "content" / "papers" / theme / f"{name}.md").write_text("no front matter\n")
    result = check(clean)
    assert result.returncode == 1
    for name in ("one", "two", "three"):
        assert f"content/papers/{theme}/{name}.md:1: must start with a '---' line" in result.stdout
    assert lines(result)[-1].endswith(": 3 errors")


# --- sitegen add --------------------------------------------------------------------------------------------


def test_add_with_options_and_a_given_theme(clean: Path):
    theme = theme_slugs(clean)[2]
    result = run_sitegen(
        "add", "--title", "A  Hand-Added   Paper", "--abstract", ABSTRACT, "--theme", theme,
        "--tag", "rl", "--tag", "survey", "--added", "2026-11-20", cwd=clean,
    )  # fmt: skip
    path = Path(result.stdout.strip())
    assert path == Path("content") / "papers" / theme / "a-hand-added-paper.md"
    data = yaml.safe_load((clean / path).read_text().split("---")[1])
    assert data["title"] == "A Hand-Added Paper" and data["tags"] == ["rl", "survey"]
    assert data["added"] == "2026-11-20" and data["sources"] == [] and len(data["id"]) == 12
    assert check(clean).returncode == 0


def test_add_from_a_snippet_writes_exactly_what_import_writes(clean: Path, tmp_path: Path):
    snippet = f"{DUMP_TITLE}\n\n{ABSTRACT} Uses $x_1 * y$ and <b>tags</b>.\n"
    added = run_sitegen("add", "--added", "2026-11-21", cwd=clean, input=snippet)
    path = clean / added.stdout.strip()
    from sitegen.classify import classify
    from sitegen.themes import load_themes

    themes = load_themes(clean / "content" / "themes.yaml")
    assert path.parent.name == classify(DUMP_TITLE, f"{ABSTRACT} Uses $x_1 * y$ and <b>tags</b>.", themes)
    other = make_project(tmp_path / "other")
    (other / "content" / "dumps" / "d.txt").write_text(snippet)
    run_sitegen("import", "--added", "2026-11-21", cwd=other)
    imported = other / "content" / "papers" / path.parent.name / path.name
    assert path.read_text() == imported.read_text().replace("sources:\n- file: d.txt\n", "sources: []\n")


def test_add_refuses_a_paper_already_on_the_list(clean: Path):
    before = snapshot(clean)
    result = run_sitegen("add", "--title", "paper NUMBER 1", "--abstract", ABSTRACT, cwd=clean, check=False)
    assert result.returncode == 1
    theme = theme_slugs(clean)[1]
    assert f"content/papers/{theme}/paper-1.md: 'paper NUMBER 1' is already on the list here" in result.stderr
    assert snapshot(clean) == before
    assert not result.stdout


def test_add_rejects_an_unknown_theme_and_an_empty_snippet(clean: Path):
    before = snapshot(clean)
    bad = run_sitegen(
        "add", "--title", "T", "--abstract", ABSTRACT, "--theme", "nope", cwd=clean, check=False
    )
    assert bad.returncode == 1 and "theme 'nope' is not in themes.yaml; use one of:" in bad.stderr
    empty = run_sitegen("add", cwd=clean, check=False, input="Just a title\n")
    assert empty.returncode == 1 and "the snippet holds no title followed by an abstract" in empty.stderr
    assert snapshot(clean) == before


# --- Workflows and documentation ----------------------------------------------------------------------------


def workflow(name: str) -> tuple[dict, str]:
    text = (REPO / ".github" / "workflows" / name).read_text()
    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data, text


def steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def job_running(data: dict, command: str) -> tuple[dict, dict]:
    """The one job with a step running ``command``, and that step."""
    (found,) = [
        (job, s) for job in data["jobs"].values() for s in job["steps"] if command in s.get("run", "")
    ]
    return found


def test_ci_workflow_checks_content_tests_and_builds_a_preview_in_independent_jobs():
    data, _ = workflow("ci.yml")
    assert set(data["on"]) >= {"pull_request", "push"}
    uses = [s.get("uses", "") for s in steps(data)]
    assert {"actions/checkout@v4", "actions/setup-python@v5", "actions/setup-node@v4"} <= set(uses)
    check_job, check_step = job_running(data, "sitegen check --strict --format github")
    test_job, _ = job_running(data, "make test")
    build_job, _ = job_running(data, "sitegen build")
    assert len({id(check_job), id(test_job), id(build_job)}) == 3
    # No job waits for another, and the check step runs even when a step before it failed.
    assert not any("needs" in job for job in data["jobs"].values())
    assert check_step["if"] in ("${{ !cancelled() }}", "${{ always() }}")
    assert "curator" in check_job["name"].lower() and "test" in test_job["name"].lower()
    assert not any("make test" in s.get("run", "") for s in check_job["steps"] + build_job["steps"])
    # GitHub's chromium package is a snap wrapper: the tests use the runner's Chrome.
    assert test_job["env"]["SITEGEN_CHROMIUM"] == "/usr/bin/google-chrome"
    upload = next(s for s in build_job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@v4"))
    assert upload["with"]["path"] == "site" and upload["if"] == "${{ !cancelled() }}"


def test_ci_entry_point_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("\nmake test")


def test_pages_workflow_builds_with_the_pages_base_url_and_deploys():
    data, text = workflow("pages.yml")
    assert data["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in data["on"]
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [s.get("uses", "") for s in steps(data)]
    for action in (
        "actions/configure-pages@v5",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
    ):
        assert action in uses
    assert '--base-url "${{ steps.pages.outputs.base_url }}/"' in text
    deploy = data["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "github-pages" and deploy["needs"] == "build"


def test_readme_and_contributing_name_the_commands_the_workflows_run():
    readme = (REPO / "README.md").read_text()
    contributing = (REPO / "CONTRIBUTING.md").read_text()
    template = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text()
    for command in ("make test", "make serve", "sitegen check", "sitegen import"):
        assert command in readme and command in contributing, command
    for text in ("sitegen add", "status: excluded", "git mv", "sitegen check --strict --format github"):
        assert text in contributing, text
    assert "sitegen check" in template and "CONTRIBUTING.md" in template


# --- Fields an import reads from a paper's card ------------------------------------------------------


def test_arxiv_published_and_code_are_validated(clean: Path):
    theme = first_theme(clean)
    add_paper(clean, theme, "good-card", "Good Card", id="goodcard", arxiv="hep-th/9901001v2",
              published="2025-03-03", code="https://github.com/owner/repo")  # fmt: skip
    add_paper(clean, theme, "bad-card", "Bad Card", id="badcard", arxiv="arXiv:2410.5",
                    published="2025-02-30", code="javascript:alert(1)")  # fmt: skip
    result = check(clean)
    where = f"content/papers/{theme}/bad-card.md"
    assert result.returncode == 1
    assert [line for line in lines(result) if "bad-card" in line] == [
        f"{where}:8: 'arxiv' must be an arXiv id such as 2410.05434 or hep-th/9901001, not 'arXiv:2410.5'",
        f"{where}:9: 'published' must be a real date written YYYY-MM-DD, not '2025-02-30'",
        f"{where}:10: 'code' must be an http:// or https:// URL, not 'javascript:alert(1)'",
    ]
    unquoted = add_paper(clean, theme, "unquoted", "Unquoted", id="unquoted")
    unquoted.write_text(unquoted.read_text().replace("added:", "arxiv: 2410.10000\nadded:"))
    assert (
        f"content/papers/{theme}/unquoted.md:7: 'arxiv' must be text in quotes (arXiv id"
        in check(clean).stdout
    )  # a float


@pytest.mark.parametrize(
    ("title", "body", "found"),
    [
        ("https://huggingface.co/papers/2410.05434", ABSTRACT, "title is a URL"),
        (
            "### [A Title](https://huggingface.co/papers/2410.05434)",
            ABSTRACT,
            "title holds Markdown link syntax",
        ),
        ("### A Title", ABSTRACT, "title starts with a Markdown heading mark"),
        ("Oct 7, 2024", ABSTRACT, "title is a date"),
        ("4 authors", ABSTRACT, "title is an author count"),
        (
            "A Title",
            f"[{ABSTRACT}](https://huggingface.co/papers/2410.05434)",
            "abstract holds Markdown link",
        ),
    ],
)
def test_pasted_furniture_in_a_title_or_abstract_is_a_warning(clean: Path, title: str, body: str, found: str):
    add_paper(clean, first_theme(clean), "pasted", title, body, id="pasted")
    result = check(clean)
    assert result.returncode == 0 and found in result.stdout and "warning:" in result.stdout
    assert check(clean, "--strict").returncode == 1
