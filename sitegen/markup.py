"""The text-to-HTML layer: dump text escaped into Markdown (import); Markdown and titles rendered (build).

Rendering is Python-Markdown plus TeX math (``\\( \\)``, ``$ $``, ``\\[ \\]``, ``$$ $$``) made MathML by
latex2mathml (``sitegen.texmath``), and every fragment is sanitised at the end (``sitegen.sanitise``).

Math is recognised by the same inline processor that handles backslash escapes, at the escape pattern's
priority. So escapes and math are read in one left-to-right pass: ``\\\\(`` is an escaped backslash and a
parenthesis, ``\\$`` is a dollar sign, and TeX inside a math span never sees Markdown's escaping or emphasis.
Code spans run earlier still, so ``$`` in backticks stays code.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

import markdown
import markupsafe
from markdown import util
from markdown.extensions.sane_lists import SaneListExtension
from markdown.inlinepatterns import InlineProcessor

from sitegen import textmode
from sitegen.sanitise import sanitise, sanitise_math
from sitegen.texmath import DOLLAR, DOLLAR_MATH, MAX_TEX, tex_to_mathml

# --- Markdown -----------------------------------------------------------------------------------------------

# Backslash escapes beyond Python-Markdown's own: "\$" (no math) and "\=" (no setext heading).
_EXTRA_ESCAPES = ("$", "=")

# One left-to-right pass over escapes and math. Display forms come first so "$$" is not read as two "$".
_MATH_OR_ESCAPE = re.compile(
    rf"\\\[(?P<block>.{{1,{MAX_TEX}}}?)\\\]"
    rf"|\$\$(?P<block_dollar>.{{1,{MAX_TEX}}}?)\$\$"
    rf"|\\\((?P<inline>.{{1,{MAX_TEX}}}?)\\\)"
    rf"|{DOLLAR.format(name='inline_dollar')}"
    rf"|(?P<text_mode>{textmode.TEXT_MODE})"
    r"|\\(?P<char>.)",
    re.DOTALL,
)


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
    # The extension itself, not its name: a name is looked up among installed packages' entry points,
    # which imports importlib.metadata and scans every installed distribution.
    md = markdown.Markdown(extensions=[SaneListExtension()], output_format="html")
    md.ESCAPED_CHARS.extend(_EXTRA_ESCAPES)
    md.inlinePatterns.register(_MathAndEscapeProcessor(_MATH_OR_ESCAPE.pattern, md), "escape", 180)
    return md


# One instance, reset per call: building one costs far more than converting an abstract. Not thread-safe.
_MD = _build_markdown()


# Source that Python-Markdown would only wrap in <p>: one line, no block marker at its start or space at
# either end, none of the characters an inline pattern or raw HTML starts with (nor any control character).
# Most abstracts are like this, and Python-Markdown is nearly all of the cost; tests check both paths give
# the same bytes. One character class and two checks at the ends: a regex alternation tried at every
# position costs as much as the rest of the fast path.
_MARKUP_CHARACTER = re.compile(r"[\\`*_\[<&$\x00-\x1f]")
_BLOCK_START = re.compile(r"\s|[#>=+\-]|\d+\.")


def is_plain_paragraph(source: str) -> bool:
    """Whether Python-Markdown would only wrap ``source`` in a <p>, so that it need not run."""
    return (
        bool(source)
        and not source[-1].isspace()
        and not _BLOCK_START.match(source)
        and not _MARKUP_CHARACTER.search(source)
    )


def render_markdown(source: str) -> str:
    """Curator/abstract Markdown -> safe HTML fragment (math as MathML, HTML sanitised)."""
    if is_plain_paragraph(source):
        # Escaped text in a <p> is what sanitising leaves it as, but for U+00A0, which html5ever writes as
        # an entity: written here as it would be, without parsing the fragment again.
        return "<p>" + html.escape(source, quote=False).replace("\xa0", "&nbsp;") + "</p>"
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
    for m in DOLLAR_MATH.finditer(title):
        script = _SCRIPT_ONLY.fullmatch(m["tex"].strip())
        if script:  # "S$^2$fM": a script on the text before it; MathML's empty base would leave a gap
            tag = "sup" if script[1] == "^" else "sub"
            mathml: str | None = f"<{tag}>{markupsafe.escape(script[2] or script[3])}</{tag}>"
        else:
            mathml = tex_to_mathml(m["tex"])
            mathml = mathml and sanitise_math(mathml)
        if mathml is not None:  # unconvertible TeX stays text, dollars and all
            parts += [markupsafe.escape(title[position : m.start()]), mathml]
            position = m.end()
    if not parts:
        return markupsafe.escape(title)
    parts.append(markupsafe.escape(title[position:]))
    return markupsafe.Markup("".join(parts))
