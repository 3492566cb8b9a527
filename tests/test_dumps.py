from __future__ import annotations

from pathlib import Path

from conftest import SEEDS

from sitegen.dumps import parse_dump, read_dump

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
