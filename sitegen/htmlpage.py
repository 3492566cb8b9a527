"""A page pasted as HTML source (a browser's "copy element", a saved page) -> the Markdown the readers know.

Headings become ``#`` lines, links ``[words](href)``, block elements line breaks; scripts, styles and
images leave nothing. Each line remembers the line of the source it came from, for messages.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "article", "section", "header", "footer", "nav", "main", "br", "tr", "td"}
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SKIPPED = frozenset({"script", "style", "template", "noscript", "svg", "head", "title"})
_MARKDOWN_CHARACTER = re.compile(r"[\\`*_\[\]<>#]")
_HTML = re.compile(r"^\s*(?:<!doctype html|<html\b|<body\b|<(?:div|article|section|main|ul|h[1-6])\b)", re.I)


def is_html(text: str) -> bool:
    """Pasted HTML source: it opens with a document or block element."""
    return bool(_HTML.match(text))


def html_lines(text: str) -> tuple[list[str], list[int]]:
    """The page as Markdown lines, and the source line each came from."""
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.lines, parser.numbers


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.numbers: list[int] = []
        self.words: list[str] = []
        self.start = 1  # source line of the words being collected
        self.skipping = 0
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS or tag in _HEADINGS:
            self.flush()
            if tag in _HEADINGS:
                self.add("#" * _HEADINGS[tag] + " ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
            self.add("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS or tag in _HEADINGS:
            self.flush()
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            self.words.append(f"]({_absolute(href)})" if href else "]")

    def handle_data(self, data: str) -> None:
        if self.skipping or (not data.strip() and not self.words):
            return
        # Written as Markdown, so characters Markdown would read as syntax are escaped.
        self.add(_MARKDOWN_CHARACTER.sub(r"\\\g<0>", " ".join(data.split())) if data.strip() else " ")

    def add(self, words: str) -> None:
        if not self.words:
            self.start = self.getpos()[0]
        self.words.append(words)

    def flush(self) -> None:
        line = re.sub(r"\s+", " ", "".join(self.words)).strip()
        self.words = []
        if line and line not in ("[]", "#"):
            self.lines += [line, ""]
            self.numbers += [self.start, self.start]


def _absolute(href: str) -> str:
    """Site-relative links of a Hugging Face page, made absolute so paper links are known as such."""
    href = "%20".join(href.split()).replace(")", "%29")
    return f"https://huggingface.co{href}" if href.startswith("/") and not href.startswith("//") else href
