"""Rendered HTML read back as plain text (search, feeds, excerpts): tags dropped, entities decoded, a <math>
element as its TeX source."""

from __future__ import annotations

import html
from html.parser import HTMLParser

# Elements whose boundaries separate words: "<p>a</p><p>b</p>" reads "a b", "<em>a</em>b" reads "ab".
# fmt: off
_BREAKING = frozenset({
    "p", "br", "hr", "div", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"
})
# fmt: on
_INVISIBLE = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    """Collects visible text; a <math> element contributes its TeX annotation, or else its token text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._math: list[str] | None = None  # token text of the open <math>
        self._annotation: list[str] | None = None  # its TeX annotation, once one opened
        self._in_annotation = False
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "math":
            self._math, self._annotation = [], None
        elif tag == "annotation" and self._math is not None:
            self._in_annotation = True
            self._annotation = []
        elif tag in _INVISIBLE:
            self._hidden += 1
        elif tag in _BREAKING:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "math" and self._math is not None:
            text = self._math if self._annotation is None else self._annotation
            self.parts.append("".join(text).strip())
            self._math, self._annotation = None, None
        elif tag == "annotation":
            self._in_annotation = False
        elif tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BREAKING:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._in_annotation and self._annotation is not None:
            self._annotation.append(data)
        elif self._math is not None:
            self._math.append(data)
        else:
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """Rendered HTML -> plain text: tags dropped, entities decoded, whitespace collapsed, math as its TeX."""
    if "<" not in fragment:
        return " ".join(html.unescape(fragment).split())
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def excerpt(text: str, limit: int = 240) -> str:
    """The first ``limit`` characters of plain text, cut at a word boundary, with '…' when cut mid-sentence
    (a cut just after a full stop reads as the end of a sentence, so it gets none: never ".…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # one more, so a word ending exactly at the limit is kept whole
    cut = head.rfind(" ")
    head = head[:cut] if cut > 0 else text[:limit]
    head = head.rstrip(" ,;:-–—")
    return head if head.endswith((".", "!", "?", "…")) else head + "…"
