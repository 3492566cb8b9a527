"""sitegen.frontmatter: a paper file parsed and validated, every problem placed on its field's line and
column; what import writes reads back as the same paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.frontmatter import ContentProblem, format_paper, paper_from_file, split_front_matter

PATH = Path("content/papers/vision/a-paper.md")


def problems_of(text: str) -> list[tuple[int | None, int | None, str, str]]:
    _, found = paper_from_file(PATH, "vision", text)
    return [(p.line, p.column, p.severity, p.message) for p in found]


def test_a_written_paper_reads_back_as_the_same_paper():
    fields = {
        "id": "abc123",
        "title": "Sparse Routing: $O(n)$ Attention",
        "arxiv": "2401.00001",
        "published": "2024-01-02",
        "code": "https://example.org/code",
        "sources": [{"file": "a.txt", "date": "Jan 2"}, {"file": "b.txt"}],
        "added": "2026-11-20",
        "status": "must-read",
        "tags": ["routing", "attention"],
        "notes": "See [x](../x/).",
        "related": {"pin": ["other"], "hide": []},
    }
    text = format_paper(fields, "The abstract.\n")
    paper, found = paper_from_file(PATH, "vision", text)
    assert found == []
    assert (paper.id, paper.slug, paper.theme, paper.title) == (
        "abc123",
        "a-paper",
        "vision",
        fields["title"],
    )
    assert [(s.file, s.date) for s in paper.sources] == [("a.txt", "Jan 2"), ("b.txt", None)]
    assert (paper.arxiv, paper.published, paper.code) == (
        "2401.00001",
        "2024-01-02",
        "https://example.org/code",
    )
    assert (paper.status, paper.tags, paper.notes) == ("must-read", ("routing", "attention"), fields["notes"])
    assert (paper.pinned, paper.hidden, paper.abstract) == (("other",), (), "The abstract.")
    assert paper.line_of("title") == 3 and paper.body_line == text.split("\n").index("The abstract.") + 1


def test_each_bad_field_is_reported_on_its_own_line_in_the_order_of_the_schema():
    text = (
        "---\n"
        "id: [1]\n"  # 2
        "title: T\n"  # 3
        "stauts: excluded\n"  # 4
        "sources: x\n"  # 5
        "added: 2026-02-30\n"  # 6
        "tags: [ok, 'no/slash']\n"  # 7
        "related: {pin: x}\n"  # 8
        "arxiv: 'not an id'\n"  # 9
        "colour: blue\n"  # 10
        "---\n\nBody.\n"
    )
    found = problems_of(text)
    assert [(line, severity) for line, _, severity, _ in found] == [
        (4, "error"),
        (10, "warning"),
        (2, "error"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
        (9, "error"),
    ]
    messages = [message for *_, message in found]
    assert "did you mean 'status'?" in messages[0]
    assert messages[4].startswith("'added' must be a real date") and found[4][1] == len("added: ") + 1
    assert found[5][1] == len("tags: ") + 1


def test_missing_required_fields_and_an_empty_abstract_are_errors():
    found = problems_of("---\ntitle: ''\n---\n\n")
    assert [message for *_, message in found] == [
        "front matter field 'id' is required",
        "front matter field 'title' is required",
        "the abstract (the Markdown after the front matter) is empty",
    ]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("no fence\n", 1, "must start with a '---' line"),
        ("---\nid: x\n", 1, "front matter is not closed"),
        ("---\nid: x\ntitle: 'open\n---\n\nB.\n", 3, "front matter is not valid YAML"),
        ("---\n- a list\n---\n\nB.\n", 2, "front matter must be a mapping"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_paper_raises_one_located_problem(text: str, line: int, message: str):
    with pytest.raises(ContentProblem) as raised:
        split_front_matter(PATH, text)
    assert raised.value.problem.line == line and raised.value.problem.message.startswith(message)
