"""The sharded search index answers exactly as the same index in one piece: the engine
(static/search-engine.js, run in node) over a frozen fixture corpus cut into many small pieces and into
one piece per kind, for queries of every kind (words, prefixes being typed, typos, phrases, acronyms,
hyphens, theme filters, later pages)."""

from __future__ import annotations

import json
import random
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import yaml

from sitegen import search

FIXTURES = Path(__file__).parent / "fixtures" / "search"
ENGINE = Path(__file__).with_name("search_engine_node.js")
WHOLE = search.Budgets(lexicon=10**9, postings=10**9, docs=10**9, text=10**9)
TINY = search.Budgets(lexicon=64, postings=96, docs=48, text=80)


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


def test_sharded_search_answers_as_the_index_in_one_piece(tmp_path):
    site, views = fixture_site()
    whole, sharded = search.search_files(site, views, WHOLE), search.search_files(site, views, TINY)
    assert len([n for n in whole if "/postings/" in n]) == 1
    assert len([n for n in sharded if "/postings/" in n]) > 50  # many prefixes, split deeply
    requests = queries(site, views)
    one, many = answers(whole, tmp_path / "whole", requests), answers(sharded, tmp_path / "sharded", requests)
    assert many["fetched"] > 5 * one["fetched"]
    assert sum(a["total"] > 0 for a in one["answers"]) > 0.8 * len(requests)  # the queries find things
    for request, a, b in zip(requests, one["answers"], many["answers"], strict=True):
        scores_a, scores_b = a.pop("scores"), b.pop("scores")
        assert a == b, request
        assert [s[:2] for s in scores_a] == [s[:2] for s in scores_b], request
        for (_, _, x), (_, _, y) in zip(scores_a, scores_b, strict=True):
            assert abs(x - y) <= 1e-9 * max(1.0, abs(x)), request
