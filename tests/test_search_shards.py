"""The sharded, tiered search index answers exactly as the same index in one piece: the engine
(static/search-engine.js, run in node) over a frozen fixture corpus cut into many small pieces, with
first tiers of a few papers, and into one piece per kind with every paper in the first tier, for queries
of every kind (words, prefixes being typed, typos, phrases, acronyms, hyphens, theme filters, later
pages). Where the tiers proved the papers shown without fetching every paper, the counts are estimates
and say so; everything shown is equal."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from sitegen import search, slugs

FIXTURES = Path(__file__).parent / "fixtures" / "search"
ENGINE = Path(__file__).with_name("search_engine_node.js")
STATIC = Path(__file__).parent.parent / "static"
WHOLE = search.Budgets(lexicon=10**9, postings=10**9, tiers=10**9, docs=10**9, text=10**9, first_tier=10**9)
TINY = search.Budgets(lexicon=64, postings=96, tiers=64, docs=48, text=80, first_tier=3)


def fixture_site():
    """The search fixture corpus, and more papers mixed from its sentences (seeded): a few hundred."""
    corpus = yaml.safe_load((FIXTURES / "papers.yaml").read_text())
    themes = tuple(SimpleNamespace(slug=t["slug"], title=t["title"]) for t in corpus["themes"])
    rng = random.Random(21)
    entries = [(p["theme"], p["slug"], p["title"], p["abstract"], p.get("arxiv")) for p in corpus["papers"]]
    sentences = [s for p in corpus["papers"] for s in re.split(r"(?<=\.) ", p["abstract"])]
    titles = [p["title"].split() for p in corpus["papers"]]
    for n in range(300):
        title = " ".join(rng.choice(titles)[:3] + rng.choice(titles)[-3:])
        entries.append((themes[n % 3].slug, f"mixed-{n}", title, " ".join(rng.sample(sentences, 3)), None))
    entries.sort(key=lambda e: ([t.slug for t in themes].index(e[0]), e[2]))  # the site's order
    papers = tuple(SimpleNamespace(slug=s, theme=t, tags=(), arxiv=a) for t, s, _, _, a in entries)
    views = {s: SimpleNamespace(title_text=title, abstract_text=text) for _, s, title, text, _ in entries}
    return SimpleNamespace(themes=themes, papers=papers), views


def queries(site, views) -> list[dict]:
    rng = random.Random(18)
    words = sorted({w.strip(".,()") for v in views.values() for w in v.title_text.split() if len(w) > 3})
    picked = rng.sample(words, 40)
    raw = [w + " " for w in picked]
    raw += [w[:n] for w in picked[:20] for n in (2, 3, 5)]  # typed, unfinished
    raw += [w[:2] + w[3] + w[2] + w[4:] + " " for w in picked[:20] if len(w) >= 6]  # a swap
    raw += [w[0] + w[2] + w[1] + w[3:] + " " for w in picked[:20] if len(w) >= 6]  # a swap in the first two
    raw += [w[:-1] + " " for w in picked[20:] if len(w) >= 6]  # a letter dropped
    for v in list(views.values())[:30]:
        title = v.title_text.split()
        raw.append(f'"{title[0]} {title[1]}" ' if len(title) > 1 else title[0])
        raw.append(" ".join(title[:3]))
    raw += ["llm", "LLMs ", "large language models ", "lora fine-tuning", "finetuning ", "fine tuning"]
    raw += ['"neural radiance fields"', "nerf ", "optimisation ", "2410.05434", "zzqx", "tranformers"]
    requests = [{"raw": q, "count": 20, "excerpts": True} for q in raw]
    requests += [{"raw": q, "count": 7, "from": 7, "theme": t.slug} for q in raw[:30] for t in site.themes]
    requests += [{"raw": q, "count": 20, "from": f} for q in raw[:40:4] for f in (20, 40)]  # "show more"
    return requests


def answers(files: dict[str, bytes], folder: Path, requests: list[dict]) -> dict:
    for name, data in files.items():
        path = folder / name.removeprefix("search/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    done = subprocess.run(
        ["node", str(ENGINE), str(folder)], input=json.dumps(requests), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("first_tier", [1, 3, 64])
def test_sharded_tiered_search_answers_as_the_index_in_one_piece(tmp_path, first_tier):
    site, views = fixture_site()
    tiny = dataclasses.replace(TINY, first_tier=first_tier)
    whole, sharded = search.search_files(site, views, WHOLE), search.search_files(site, views, tiny)
    assert len([n for n in whole if "/postings/" in n]) == 1 and not [n for n in whole if "/tiers/" in n]
    assert len([n for n in sharded if "/postings/" in n]) > 50  # many prefixes, split deeply
    assert len([n for n in sharded if "/tiers/" in n]) > 10
    lexicon = [payload(data) for name, data in sharded.items() if "/lexicon/" in name]
    assert sum(len(piece["tops"]) for piece in lexicon) >= 5  # prefixes that span pieces list completions
    requests = queries(site, views)
    one, many = answers(whole, tmp_path / "whole", requests), answers(sharded, tmp_path / "sharded", requests)
    assert many["fetched"] > 5 * one["fetched"]
    assert sum(a["total"] > 0 for a in one["answers"]) > 0.8 * len(requests)  # the queries find things
    assert all(a["exact"] for a in one["answers"])  # every paper of every term is in its first tier
    proven = [b for b in many["answers"] if not b["exact"]]
    assert len(proven) > 0.1 * len(requests)  # first tiers were enough for some queries, not all
    for request, a, b in zip(requests, one["answers"], many["answers"], strict=True):
        scores_a, scores_b = a.pop("scores"), b.pop("scores")
        assert [s[:2] for s in scores_a] == [s[:2] for s in scores_b], request
        for (_, _, x), (_, _, y) in zip(scores_a, scores_b, strict=True):
            assert x == y, request  # the same sums of the same impacts
        if not b["exact"]:  # estimated counts: at least what is known
            assert b["total"] >= request.get("from", 0) + len(b["items"]), request
            for key in ("total", "totalAll", "counts", "complete", "exact"):
                a.pop(key), b.pop(key)
        assert a == b, request


def payload(data: bytes) -> dict:
    return json.loads(data.decode().split("]=", 1)[1].rstrip(";\n"))


def test_a_result_omits_only_the_slug_its_title_gives_in_the_browser_too():
    titles = [
        "Attention Is All You Need",
        "Ünïcödé, Accents & Ligatures: ﬁne-tuning Æsop",
        "$\\alpha$-Entmax and π: Greek Letters",
        "ΑΒΓ only Greek",
        "A " + "very-long-word " * 12,
        "Supercalifragilistic" * 6,
        "",
        "2410.05434: numbers, (brackets) and_underscores",
    ]
    script = (
        "globalThis.self = globalThis; const vm = require('vm'), fs = require('fs');"
        f"for (const f of {json.dumps([str(STATIC / 'search-text.js'), str(STATIC / 'search-store.js')])})"
        " vm.runInThisContext(fs.readFileSync(f, 'utf8'));"
        "process.stdout.write(JSON.stringify(JSON.parse(fs.readFileSync(0, 'utf8'))"
        ".map(t => sitegenSearchStore.plainSlug(t))));"
    )
    done = subprocess.run(["node", "-e", script], input=json.dumps(titles), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [slugs.plain_slug(t) for t in titles]
    assert search.shown_record(titles[0], "attention-is-all-you-need") == [titles[0]]
    assert search.shown_record(titles[0], "attention-is-all-you-need-1a2b3c4d") == [
        titles[0],
        "attention-is-all-you-need-1a2b3c4d",
    ]
    assert slugs.plain_slug(titles[2]) != slugs.slugify(titles[2])  # Greek spelt out: the slug is shipped


def test_a_keystroke_answered_from_first_tiers_says_when_it_is_provisional(tmp_path):
    """While typing, a keystroke's answer (quick) comes from the first tiers: equal to the full answer
    where they proved it, else marked provisional (the full answer follows once typing rests)."""
    site, views = fixture_site()
    whole, sharded = search.search_files(site, views, WHOLE), search.search_files(site, views, TINY)
    requests = [{**r, "quick": True} for r in queries(site, views)]
    one, many = answers(whole, tmp_path / "whole", requests), answers(sharded, tmp_path / "sharded", requests)
    assert not any(a["provisional"] for a in one["answers"])  # every paper is in the first tier
    provisional = [b for b in many["answers"] if b["provisional"]]
    assert 0 < len(provisional) < len(requests)
    for request, a, b in zip(requests, one["answers"], many["answers"], strict=True):
        if not b["provisional"]:
            assert [i["doc"] for i in a["items"]] == [i["doc"] for i in b["items"]], request
            assert [s[:2] for s in a["scores"]] == [s[:2] for s in b["scores"]], request
    assert many["fetched"] < answers(sharded, tmp_path / "full", queries(site, views))["fetched"]
