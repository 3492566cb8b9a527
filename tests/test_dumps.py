from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import SEEDS

from sitegen.dumps import parse_dump, read_dump
from sitegen.pagetext import paper_id_of, real_date

ABSTRACT = ("We study a problem that matters. " * 12).strip()  # 395 characters of prose, like a real abstract


def parse(text: str):
    return parse_dump(Path("d.txt"), text)


def test_seeds_hold_516_entries_of_447_papers():
    dumps = [read_dump(p) for p in SEEDS]
    entries = [e for d in dumps for e in d.entries]
    assert len(entries) == 516
    assert len({" ".join(e.title.lower().split()) for e in entries}) == 447
    assert all(not d.warnings for d in dumps)
    assert [d.date for d in dumps] == ["Jul 29", "Mar 12", "May 22", None, "Jun 26"]


def test_blank_line_layout_with_header_noise():
    text = (
        "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
        "byAK and the research community\n\nJul 29\n\n"
        f"First Title\n\n{ABSTRACT}\n\nSecond Title\n\n{ABSTRACT} 2\n"
    )
    dump = parse(text)
    assert [(e.title, e.line, e.date) for e in dump.entries] == [
        ("First Title", 13, "Jul 29"),
        ("Second Title", 17, "Jul 29"),
    ]
    assert dump.entries[1].abstract == ABSTRACT + " 2"


def test_compact_layout_with_title_glued_to_subscribe():
    text = (
        "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
        f"SubscribeCompression of Things\n{ABSTRACT}\nAnother One\n{ABSTRACT}\n"
    )
    dump = parse(text)
    assert [e.title for e in dump.entries] == ["Compression of Things", "Another One"]
    assert dump.date is None


def test_missing_abstract_mid_file_does_not_shift_the_pairs():
    text = f"One\n\n{ABSTRACT} a\n\nOrphan Title\n\nThree\n\n{ABSTRACT} c\n"
    dump = parse(text)
    assert [(e.title, e.abstract[-1]) for e in dump.entries] == [("One", "a"), ("Three", "c")]
    assert [str(w) for w in dump.warnings] == [
        "d.txt:5: warning: entry 'Orphan Title' has no abstract; skipped"
    ]


def test_missing_abstract_at_the_end():
    dump = parse(f"One\n{ABSTRACT}\nLast Title\n")
    assert [e.title for e in dump.entries] == ["One"]
    assert [w.line for w in dump.warnings] == [3]


def test_paragraph_without_title_is_skipped_with_warning():
    dump = parse(f"{ABSTRACT}\nOne\n{ABSTRACT}\n")
    assert [e.title for e in dump.entries] == ["One"]
    assert "no title" in str(dump.warnings[0]) and dump.warnings[0].line == 1


def test_crlf_bom_and_trailing_spaces(tmp_path: Path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(("\ufeffnew\r\n\r\nTitle Here   \r\n\r\n" + ABSTRACT + "  \r\n").encode("utf-8"))
    dump = read_dump(path)
    assert [(e.title, e.abstract) for e in dump.entries] == [("Title Here", ABSTRACT)]


def test_empty_and_header_only_files_have_no_entries():
    assert parse("").entries == ()
    assert parse("new\n\nSubscribe\n\nDaily Papers\n\nMar 12\n").entries == ()


FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def _fields(entry) -> dict:
    return {k: getattr(entry, k) for k in ("title", "abstract", "line", "arxiv", "published", "code", "date")}


@pytest.mark.parametrize("name", sorted(EXPECTED["layouts"]))
def test_every_layout_gives_every_field_of_every_paper(name: str):
    want = EXPECTED["layouts"][name]
    dump = read_dump(FIXTURES / name)
    expected = []
    for item in want["entries"]:
        paper = {"arxiv": None, "published": None, "code": None, **EXPECTED["papers"][item["paper"]]}
        paper.update({k: v for k, v in item.items() if k != "paper"})
        expected.append({**paper, "date": want["date"]})
    assert [_fields(e) for e in dump.entries] == expected
    assert all(e.file == name for e in dump.entries)
    assert dump.layout == want["layout"]
    unread: dict[str, list[int]] = {}
    for block in dump.unread:
        unread.setdefault(block.kind, []).append(block.line)
    assert unread == want.get("unread", {})
    assert dump.errors == ()


def test_a_one_sentence_abstract_and_a_long_title_pair_in_a_compact_page():
    long_title = "Scaling " + " ".join(f"Part {n} of a Very Long Name" for n in range(30))
    dump = parse(f"{long_title}\nIt works.\nShort Title\nWe show that it works well.\n")
    assert [(e.title, e.abstract) for e in dump.entries] == [
        (long_title, "It works."),
        ("Short Title", "We show that it works well."),
    ]


def test_a_compact_page_missing_an_abstract_keeps_the_pairs_after_it():
    dump = parse(f"One\n{ABSTRACT}\nLonely Title\nTwo\n{ABSTRACT} b\nThree\nA short one.\n")
    assert [(e.title, e.abstract[-2:]) for e in dump.entries] == [
        ("One", "s."),
        ("Two", " b"),
        ("Three", "e."),
    ]
    assert [(u.kind, u.line) for u in dump.unread] == [("title without abstract", 3)]


def test_a_hard_wrapped_plain_page_joins_its_paragraphs():
    wrapped = (
        "We study a problem that matters a great deal to\nmany people, and we show how to solve it\nquickly."
    )
    dump = parse(f"First Title\n\n{wrapped}\n\nSecond Title\nA second abstract that fits on one line.\n")
    assert [(e.title, e.abstract) for e in dump.entries] == [
        ("First Title", " ".join(wrapped.split())),
        ("Second Title", "A second abstract that fits on one line."),
    ]


def _cards(count: int, without_abstract: set[int]) -> str:
    cards = []
    for n in range(count):
        url = f"https://huggingface.co/papers/2501.{n:05d}"
        body = "" if n in without_abstract else f"[A study of thing {n}. It works.]({url})\n\n"
        cards.append(f"### [Paper Number {n}]({url})\n\n{body}- 3 authors\n\nJan 2, 2025\n")
    return "\n".join(cards)


def test_a_card_without_abstract_is_reported_and_the_rest_kept():
    dump = parse(_cards(5, {2}))
    assert [e.title for e in dump.entries] == [
        "Paper Number 0",
        "Paper Number 1",
        "Paper Number 3",
        "Paper Number 4",
    ]
    assert [e.published for e in dump.entries] == ["2025-01-02"] * 4
    assert [(u.kind, u.text) for u in dump.unread] == [("title without abstract", "Paper Number 2")]
    assert dump.errors == ()
    assert dump.summary() == [
        "d.txt: read as Markdown headings: 4 papers",
        "  skipped 1 title without abstract: d.txt:17",
    ]


def test_a_page_read_far_short_of_the_papers_it_names_is_an_error():
    dump = parse(_cards(5, {1, 2}))
    assert [str(p) for p in dump.errors] == [
        "d.txt: the page names 5 papers but only 3 could be read (skipped: 2 title without abstract, first "
        "at line 9); its layout may be one sitegen does not read: see README 'Adding a dump'"
    ]


def test_text_with_no_paper_is_an_error_but_page_furniture_alone_is_not():
    assert "holds text but no paper" in str(parse("Just one line of words\n").errors[0])
    assert parse("Daily Papers\n\nMar 12\n\nhttps://huggingface.co/papers\n\n12\n\n3 authors\n").errors == ()


def test_summary_lists_a_few_blocks_per_kind_and_all_of_them_verbose():
    dump = parse(
        "Menu\n\nItems\n\nTitle\n\n" + ABSTRACT + "\n\n" + "".join(f"Orphan {n}\n\n" for n in range(4))
    )
    assert dump.summary() == [
        "d.txt: read as title/abstract pairs: 1 paper",
        "  skipped 6 title without abstract: d.txt:1, d.txt:3, d.txt:9, ...",
    ]
    assert dump.summary(verbose=True)[4:] == [
        f"  d.txt:{9 + 2 * n}: warning: entry 'Orphan {n}' has no abstract; skipped" for n in range(4)
    ]


@pytest.mark.parametrize(
    ("url", "arxiv"),
    [
        ("https://huggingface.co/papers/2410.05434", "2410.05434"),
        ("https://huggingface.co/papers/2410.05434v2#community", "2410.05434"),
        ("https://huggingface.co/login?next=%2Fpapers%2F2410.05434", "2410.05434"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/pdf/1706.03762", "1706.03762"),
        ("https://huggingface.co/papers", None),
        ("https://example.org/papers/2410.05434", None),
    ],
)
def test_paper_ids_from_links(url: str, arxiv: str | None):
    assert paper_id_of(url) == arxiv


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Oct 7, 2024", "2024-10-07"),
        ("· Published on 4 October 2026", "2026-10-04"),
        ("2025-02-28", "2025-02-28"),
        ("Jul 29", None),
        ("Feb 30, 2025", None),
    ],
)
def test_published_dates_are_real_dates_with_a_year(text: str, iso: str | None):
    assert real_date(text) == iso


def test_papers_are_the_heading_level_with_the_most_different_headings():
    text = "# Reading List\n\n" + "".join(
        f"## Paper {n} Title\n\n### Abstract\n\nWe did thing {n}. It works.\n\n### Authors\n\n- 3 authors\n\n"
        for n in range(3)
    )
    dump = parse(text)
    assert [(e.title, e.abstract) for e in dump.entries] == [
        (f"Paper {n} Title", f"We did thing {n}. It works.") for n in range(3)
    ]
    assert [(u.kind, u.text) for u in dump.unread] == [("text before the first paper", "Reading List")]


def test_double_backslash_breaks_and_an_indented_text_browser_dump():
    scraped = (
        "### [A Long Title That \\\\\nWraps Twice](https://huggingface.co/papers/2401.00001)\n\n"
        "[We do it. \\\\\nIt works.](https://huggingface.co/papers/2401.00001)\n"
    )
    dumped = (
        "```text\n   ### [Indented Title][1]\n   [\n   We do it. It works.\n   ][2]\n\n"
        "   [1]: https://huggingface.co/papers/2401.00002\n"
    )
    assert [(e.title, e.abstract, e.arxiv) for e in parse(scraped).entries] == [
        ("A Long Title That Wraps Twice", "We do it. It works.", "2401.00001")
    ]
    assert [(e.title, e.abstract, e.arxiv) for e in parse(dumped).entries] == [
        ("Indented Title", "We do it. It works.", "2401.00002")
    ]


def test_a_page_title_heading_is_not_a_paper_and_bold_lines_are_titles():
    intro = "# Weekly digest\n\nSome words about this week.\n\n"
    bold = intro + "".join(f"**Paper {n} Title**\nWe did thing {n}. It works.\n\n" for n in range(3))
    # Without bold, a heading followed by a sentence is a title and its abstract: no intro sentence here.
    plain = "# Weekly digest\n\n" + "".join(
        f"Paper {n} Title\n\nWe did thing {n}. It works.\n\n" for n in range(3)
    )
    for text in (bold, plain):
        assert [(e.title, e.abstract) for e in parse(text).entries] == [
            (f"Paper {n} Title", f"We did thing {n}. It works.") for n in range(3)
        ]
    assert parse(bold).layout == "Markdown headings" and parse(plain).layout == "title/abstract pairs"
    snippet = parse("### One Title\n\nWe did it. It works.\n")
    assert [(e.title, e.abstract) for e in snippet.entries] == [("One Title", "We did it. It works.")]


def test_link_target_lines_in_angle_brackets_or_parentheses():
    dump = parse(
        "A Title Here\n(https://huggingface.co/papers/2401.00001)\n"
        "We did it. It works.\n<https://huggingface.co/papers/2401.00001>\n"
    )
    assert [(e.title, e.abstract, e.arxiv) for e in dump.entries] == [
        ("A Title Here", "We did it. It works.", "2401.00001")
    ]
    assert dump.layout == "paper links" and dump.unread == ()
