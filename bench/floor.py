"""The bare Python floor: what PyYAML + Python-Markdown + Jinja2 take to turn the papers into one page per
paper and one per theme, with nothing else (no search, related papers, feeds or checks). No Python site
generator can be faster than this at the same work; sitegen is measured against it.

    python bench/floor.py PROJECT OUTPUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import markdown
import yaml
from markupsafe import Markup

PAGE = jinja2.Template(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>'
    "<h1>{{ title }}</h1><p>{{ theme }} · {{ added }}</p>"
    "{% for tag in tags %}<span>{{ tag }}</span> {% endfor %}{{ body }}</body></html>\n",
    autoescape=True,
)
LIST = jinja2.Template(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ theme }}</title></head><body>'
    '<h1>{{ theme }}</h1><ul>{% for slug, title in papers %}<li><a href="{{ slug }}/">{{ title }}</a></li>'
    "{% endfor %}</ul></body></html>\n",
    autoescape=True,
)


def main(project: Path, output: Path) -> None:
    md = markdown.Markdown()
    themes: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((project / "content" / "papers").glob("*/*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.safe_load(head) or {}
        theme, title = path.parent.name, str(data.get("title", path.stem))
        themes.setdefault(theme, []).append((path.stem, title))
        html = Markup(md.reset().convert(body))
        fields = {"title": title, "theme": theme, "added": data.get("added"), "tags": data.get("tags")}
        page = PAGE.render(body=html, **fields)
        folder = output / theme / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(page, encoding="utf-8")
    for theme, papers in themes.items():
        (output / theme / "index.html").write_text(LIST.render(theme=theme, papers=papers), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
