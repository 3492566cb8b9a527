"""The text-to-HTML layer: dump text escaped into Markdown (import); Markdown and titles rendered (build).

Rendering is Python-Markdown plus TeX math (``\\( \\)``, ``$ $``, ``\\[ \\]``, ``$$ $$``) made MathML by
latex2mathml, and every fragment is sanitised by nh3 at the end: curators write notes and edit abstracts, so
the Markdown may carry hostile HTML, and latex2mathml itself passes ``\\text{<script>}`` through unescaped.

Math is recognised by the same inline processor that handles backslash escapes, at the escape pattern's
priority. So escapes and math are read in one left-to-right pass: ``\\\\(`` is an escaped backslash and a
parenthesis, ``\\$`` is a dollar sign, and TeX inside a math span never sees Markdown's escaping or emphasis.
Code spans run earlier still, so ``$`` in backticks stays code.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement, tostring

import markdown
import markupsafe
import nh3
from markdown import util
from markdown.inlinepatterns import InlineProcessor

from sitegen import textmode

# --- MathML -------------------------------------------------------------------------------------------------

# Exactly the elements and attributes latex2mathml emits (plus <semantics>/<annotation>, added below).
# Deliberately absent: href (latex2mathml puts \href{javascript:...}{x} on an <mrow>) and mathbackground.
# fmt: off
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msup", "msub",
    "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle",
    "mpadded", "mphantom", "menclose"
})
# fmt: on
MATHML_ATTRIBUTES: dict[str, set[str]] = {
    "math": {"xmlns", "display"},
    "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "form", "separator", "largeop", "movablelimits", "accent", "symmetric"}
    | {"minsize", "maxsize", "lspace", "rspace"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mstyle": {"displaystyle", "scriptlevel", "mathsize", "mathcolor", "mathvariant"},
    "mtable": {"columnalign", "columnlines", "columnspacing", "rowlines", "rowspacing", "displaystyle"},
    "mtd": {"columnalign"},
    "menclose": {"notation"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
}

# latex2mathml writes symbols as the literal text "&#x003B1;" and un-escapes its whole output, which also
# un-escapes any "<" the TeX carried. We take its element tree instead and turn those strings into characters,
# so ElementTree's own escaping is the only escaping.
_CHAR_REF = re.compile(r"&#x([0-9A-Fa-f]+);")


def _decode_char_refs(text: str) -> str:
    return _CHAR_REF.sub(lambda m: chr(int(m[1], 16)), text)


@functools.lru_cache(maxsize=4096)  # the same short formulas ("\( A \)", "$π$") recur across papers
def tex_to_mathml(tex: str, display: str = "inline") -> str | None:
    """TeX -> a ``<math>`` element (not yet sanitised), or None when latex2mathml cannot convert it.

    The TeX source is kept in an ``<annotation>``: browsers do not show it, plain_text() reads it back.
    """
    tex = tex.strip()
    if not tex:
        return None
    from latex2mathml.converter import convert_to_element  # imported when a text has math: most have none

    try:
        root = convert_to_element(tex, display=display)
    except Exception:  # malformed TeX raises many types (its own, IndexError, KeyError...): show it as text
        return None
    for element in root.iter():
        if element.text and "&#x" in element.text:
            element.text = _decode_char_refs(element.text)
    children = list(root)
    root[:] = []
    semantics = SubElement(root, "semantics")
    if len(children) == 1:
        semantics.append(children[0])
    else:  # <semantics> takes exactly one presentation child
        SubElement(semantics, "mrow").extend(children)
    annotation = SubElement(semantics, "annotation", encoding="application/x-tex")
    annotation.text = tex
    return tostring(root, encoding="unicode")


# --- Sanitising ---------------------------------------------------------------------------------------------

# fmt: off
HTML_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5",
    "h6", "sup", "sub", "del", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"
})
# fmt: on
_TAGS = set(HTML_TAGS | MATHML_TAGS)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    **MATHML_ATTRIBUTES,
}
_URL_SCHEMES = {"http", "https", "mailto"}
_MATH_TAG_SET = set(MATHML_TAGS)
# Dropped with their content, not just unwrapped: their text is code or junk, never prose.
_CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "template", "noscript"}

# nh3 writes every attribute as name="value" with '"' escaped, so this matches a whole <a> start tag exactly.
_A_TAG = re.compile(r"<a((?: [\w:-]+=\"[^\"]*\")*)>")
_ABSOLUTE_HREF = re.compile(r' href="(?:https?:)?//', re.IGNORECASE)
LINK_REL = "noopener nofollow"


def _add_rel(match: re.Match[str]) -> str:
    attributes = match[1]
    if _ABSOLUTE_HREF.search(attributes):
        return f'<a{attributes} rel="{LINK_REL}">'
    return match[0]


def sanitise(fragment: str) -> str:
    """Any HTML -> the allowed subset; absolute links get rel="noopener nofollow", relative ones do not."""
    cleaned = nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return _A_TAG.sub(_add_rel, cleaned) if "<a " in cleaned else cleaned


def _sanitise_math(fragment: str) -> str:
    return nh3.clean(fragment, tags=_MATH_TAG_SET, attributes=MATHML_ATTRIBUTES, link_rel=None)


# --- Markdown -----------------------------------------------------------------------------------------------

# Backslash escapes beyond Python-Markdown's own: "\$" (no math) and "\=" (no setext heading).
_EXTRA_ESCAPES = ("$", "=")

# One left-to-right pass over escapes and math. Display forms come first so "$$" is not read as two "$".
# A "$...$" span follows Pandoc: no space just inside either "$", and no digit just after the closing one,
# so "costs $5 and $6" is text. Spans are bounded so a page of unclosed "\(" is not quadratic to scan.
MAX_TEX = 2000
_DOLLAR = r"\$(?=[^\s$])(?P<{name}>(?:\\.|[^$\\])+?)(?<=[^\s\\])\$(?!\d)"
_MATH_OR_ESCAPE = re.compile(
    rf"\\\[(?P<block>.{{1,{MAX_TEX}}}?)\\\]"
    rf"|\$\$(?P<block_dollar>.{{1,{MAX_TEX}}}?)\$\$"
    rf"|\\\((?P<inline>.{{1,{MAX_TEX}}}?)\\\)"
    rf"|{_DOLLAR.format(name='inline_dollar')}"
    rf"|(?P<text_mode>{textmode.TEXT_MODE})"
    r"|\\(?P<char>.)",
    re.DOTALL,
)
_DOLLAR_MATH = re.compile(_DOLLAR.format(name="tex"), re.DOTALL)


class _MathAndEscapeProcessor(InlineProcessor):
    """Replaces Python-Markdown's 'escape' pattern: backslash escapes as before, math spans to MathML,
    TeX text-mode commands (accents, emphasis, escaped characters) to text."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str | Element | None, int, int]:
        char = m["char"]
        if char is not None:
            if char in self.md.ESCAPED_CHARS:  # what the stock escape pattern does
                return f"{util.STX}{ord(char)}{util.ETX}", m.start(), m.end()
            if textmode.ESCAPED_CHARACTER.match(data, m.start()):  # TeX's "\%", "\&"
                return char, m.start(), m.end()
            return None, m.start(), m.end()  # any other "\x" stays as written
        if m["text_mode"] is not None:
            tag, text = textmode.replacement(m)
            if tag is None:
                return text, m.start(), m.end()
            element = Element(tag)
            element.text = text
            return element, m.start(), m.end()
        display = "block" if m["block"] is not None or m["block_dollar"] is not None else "inline"
        tex = m["block"] or m["block_dollar"] or m["inline"] or m["inline_dollar"]
        mathml = tex_to_mathml(tex, display)
        if mathml is None:  # shown exactly as typed; a string node is escaped and not parsed further
            return m[0], m.start(), m.end()
        return self.md.htmlStash.store(mathml), m.start(), m.end()


def _build_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.ESCAPED_CHARS.extend(_EXTRA_ESCAPES)
    md.inlinePatterns.register(_MathAndEscapeProcessor(_MATH_OR_ESCAPE.pattern, md), "escape", 180)
    return md


# One instance, reset per call: building one costs far more than converting an abstract. Not thread-safe.
_MD = _build_markdown()


# Source that Python-Markdown would only wrap in <p>: one line, no block marker at its start or space at
# either end, none of the characters an inline pattern or raw HTML starts with. Most abstracts are like this,
# and Python-Markdown is nearly all of the cost; tests check both paths give the same bytes.
_PLAIN_PARAGRAPH = re.compile(r"[\\`*_\[<&$\n\r\t\x02\x03]|^(?:\s|[#>=+\-]|\d+\.)|\s$")


def render_markdown(source: str) -> str:
    """Curator/abstract Markdown -> safe HTML fragment (math as MathML, HTML sanitised)."""
    if source and not _PLAIN_PARAGRAPH.search(source):
        return sanitise(f"<p>{html.escape(source, quote=False)}</p>")
    return _render_with_markdown(source)


def _render_with_markdown(source: str) -> str:
    return sanitise(unsanitised_html(source))


def unsanitised_html(source: str) -> str:
    """Markdown -> HTML as written, with what ``sanitise`` would drop: for ``check`` to report it."""
    _MD.reset()
    return _MD.convert(source)


# --- Escaping (import) --------------------------------------------------------------------------------------

_ESCAPABLE = re.escape("".join(_MD.ESCAPED_CHARS))
# Python-Markdown reads raw HTML, character references and link reference definitions ("[x]: url") from the
# source text before any backslash escape is seen, so "<", "&" and "]:" are written as entities instead.
# A \( ... \) span on one line is kept as written unless it holds something those earlier passes would read
# (a backtick, a "<" or "&" not followed by a space); after a backslash, "\(" is TeX's "\\" and a parenthesis.
# Elsewhere a backslash is doubled only where Markdown would read it as an escape ("\%", "{\em x}" stay).
_SPECIAL = re.compile(
    rf"(?P<math>(?<!\\)\\\((?:[^`\n<&]|[<&](?=[ \t])){{1,{MAX_TEX}}}?\\\))"
    r"|(?P<reference>\](?=:))"
    rf"|\\(?=[{_ESCAPABLE}])"
    r"|[`*_\]$]"
    r"|<(?![ \t])"  # tabs become spaces before inline patterns run, so "< " and "<\t" read as text
    r"|&(?=#|[A-Za-z0-9]+;)"  # "&#1" without ";" is a character reference too
)
_AS_ENTITY = {"<": "&lt;", "&": "&amp;"}
# Block markers, checked after _SPECIAL ran on the line: headings, quotes, list items, setext underlines and
# rules ("-- -- --" is one). A numbered item gets its backslash before the dot ("1\. x"), the rest before it.
_LINE_START = re.compile(r"\d+(?=\.(?:\s|$))|(?=[-+=#>])")
_NEWLINE = re.compile(r"\r\n?|\n")


def _escape_special(m: re.Match[str]) -> str:
    if m["math"] is not None:
        return m[0]
    if m["reference"] is not None:
        return "&#93;"
    return _AS_ENTITY.get(m[0]) or "\\" + m[0]


def _escape_line(line: str) -> str:
    # Leading whitespace would make an indented code block, trailing spaces a <br>; neither is visible text.
    line = _SPECIAL.sub(_escape_special, line.strip())
    marker = _LINE_START.match(line)
    return f"{line[: marker.end()]}\\{line[marker.end() :]}" if marker else line


def escape_markdown(text: str) -> str:
    """Dump text -> Markdown that render_markdown() turns back into exactly ``text`` (as visible text),
    except that ``\\( ... \\)`` spans are kept verbatim so they render as math. Only what Python-Markdown
    would interpret is escaped, so the result stays readable for curators."""
    return "\n".join(_escape_line(line) for line in _NEWLINE.split(text))


# --- Titles -------------------------------------------------------------------------------------------------


_SCRIPT_ONLY = re.compile(r"([\^_])(?:\{([\w+\-*′']+)\}|([\w+\-*′']))")


def render_title(title: str) -> markupsafe.Markup:
    """Title -> safe inline HTML: escaped text with each ``$...$`` span as inline MathML."""
    parts: list[str] = []
    position = 0
    for m in _DOLLAR_MATH.finditer(title):
        script = _SCRIPT_ONLY.fullmatch(m["tex"].strip())
        if script:  # "S$^2$fM": a script on the text before it; MathML's empty base would leave a gap
            tag = "sup" if script[1] == "^" else "sub"
            mathml: str | None = f"<{tag}>{markupsafe.escape(script[2] or script[3])}</{tag}>"
        else:
            mathml = tex_to_mathml(m["tex"])
            mathml = mathml and _sanitise_math(mathml)
        if mathml is not None:  # unconvertible TeX stays text, dollars and all
            parts += [markupsafe.escape(title[position : m.start()]), mathml]
            position = m.end()
    if not parts:
        return markupsafe.escape(title)
    parts.append(markupsafe.escape(title[position:]))
    return markupsafe.Markup("".join(parts))


_SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
# Commands that only choose a font or wrap text: their argument is the readable part.
# fmt: off
_WRAPPERS = frozenset({
    "text", "textrm", "textbf", "textit", "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal",
    "mathbb", "mathfrak", "mathscr", "boldsymbol", "bm", "operatorname", "left", "right"
})
# fmt: on
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)\s*|\\(.)", re.DOTALL)
_TEX_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(.))", re.DOTALL)


def _command_text(m: re.Match[str]) -> str:
    name = m[1]
    if name is None:  # "\," "\;" are spaces, "\!" a negative one, "\%" "\{" the character itself
        return " " if m[2] in ",;: " else "" if m[2] == "!" else m[2]
    if name in _WRAPPERS:
        return ""
    from latex2mathml.symbols_parser import convert_symbol  # imported when a text has math

    code_point = convert_symbol("\\" + name)  # \alpha -> α, \times -> ×, \leq -> ≤
    space = " " if m[0][-1].isspace() else ""  # "\log n" is two words
    return (chr(int(code_point, 16)) if code_point else name) + space  # \log -> log


def _script_text(m: re.Match[str]) -> str:
    body = m[2] if m[2] is not None else m[3]
    table = _SUPERSCRIPTS if m[1] == "^" else _SUBSCRIPTS
    converted = body.translate(table)
    if all(a != b for a, b in zip(body, converted, strict=True)):  # each has a super/subscript form
        return converted
    return m[1] + (body if len(body) == 1 else f"({body})")


def _tex_text(tex: str) -> str:
    text = _TEX_COMMAND.sub(_command_text, tex)
    text = _TEX_SCRIPT.sub(_script_text, text)
    return " ".join(text.replace("{", "").replace("}", "").split())


def plain_title(title: str) -> str:
    """Title as plain text for <title>, feeds and search: math spans as readable text, no markup."""
    return _DOLLAR_MATH.sub(lambda m: _tex_text(m["tex"]), title)


# --- Plain text ---------------------------------------------------------------------------------------------

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
