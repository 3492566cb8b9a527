"""TeX math in titles and abstracts: made MathML for pages (by latex2mathml, imported only when a text has
math), and read as plain text (``$\\alpha^2$`` -> ``α²``) where markup cannot go: <title>, feeds, search,
slugs.
"""

from __future__ import annotations

import functools
import re
from xml.etree.ElementTree import SubElement, tostring

# A "$...$" span follows Pandoc: no space just inside either "$", and no digit just after the closing one,
# so "costs $5 and $6" is text. Spans are bounded so a page of unclosed "\(" is not quadratic to scan.
MAX_TEX = 2000
DOLLAR = r"\$(?=[^\s$])(?P<{name}>(?:\\.|[^$\\])+?)(?<=[^\s\\])\$(?!\d)"
DOLLAR_MATH = re.compile(DOLLAR.format(name="tex"), re.DOTALL)


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


# --- As plain text ------------------------------------------------------------------------------------------

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
    return DOLLAR_MATH.sub(lambda m: _tex_text(m["tex"]), title)
