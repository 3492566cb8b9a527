"""TeX text-mode commands as readers expect them: ``\\'e`` is é, ``\\emph{x}`` is emphasis, ``\\%`` is %.

Authors paste abstracts from their LaTeX source, so these turn up in real abstracts. They are read at build
time (the paper file keeps what the author wrote); a command not listed here (``\\aka``) stays as written,
since guessing would show the reader something the author did not write.
"""

from __future__ import annotations

import re
import unicodedata

# Accents as combining characters. The ones whose symbol Markdown also reads as an escape (\` \= \.) are
# left out: in a paper file they mean the escape.
_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
    "^": "\u0302",
    "~": "\u0303",
    "c": "\u0327",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
# Letters: TeX reads "Stra\\ss e" as "Straße", the space only ending the command's name.
_LETTERS = {
    "ss": "ß",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_SYMBOLS = {
    **_LETTERS,
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textendash": "–",
    "textemdash": "—",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
# Characters TeX makes special, written with a backslash to mean themselves; the others (\$ \_ \# \{ \})
# are Markdown escapes too, and import keeps a dump's backslash before them visible.
# "\&" before what reads as a character reference ("\&lt;") is a backslash before an escaped "<".
ESCAPED_CHARACTER = re.compile(r"\\(%|&(?!#|\w+;))")
EMPHASIS = {"emph": "em", "textit": "em", "textsl": "em", "textbf": "strong"}
DECLARATIONS = {"em": "em", "it": "em", "itshape": "em", "sl": "em", "bf": "strong", "bfseries": "strong"}

_SYMBOL_NAMES = "|".join(sorted(_SYMBOLS, key=len, reverse=True))
_LETTER_NAMES = "|".join(sorted(_LETTERS, key=len, reverse=True))
_LETTER_ACCENTS = "".join(k for k in _ACCENTS if k.isalpha())
_SYMBOL_ACCENTS = re.escape("".join(k for k in _ACCENTS if not k.isalpha()))
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# An accent: "\'e", "\'{e}", "{\'e}", "\c{c}", "\c c" (a letter accent needs the brace or the space).
ACCENT = (
    rf"(?P<accent_open>\{{)?\\(?:(?P<accent>[{_SYMBOL_ACCENTS}])\s*|(?P<letter_accent>[{_LETTER_ACCENTS}])"
    rf"(?:\s+|(?=\{{)))(?:\{{(?P<accent_braced>{_BASE})\}}|(?P<accent_base>{_BASE}))(?(accent_open)\}})"
)
SYMBOL = (
    rf"\\(?:(?P<letter>{_LETTER_NAMES})(?![A-Za-z])(?:\{{\}}|[ \t]+(?=[A-Za-z]))?"
    rf"|(?P<symbol>{_SYMBOL_NAMES})(?![A-Za-z])(?:\{{\}})?)"
)
# "\emph{x}" and "{\em x}": the argument is plain text here (no nested groups), up to a paragraph long.
COMMAND = rf"\\(?P<command>{'|'.join(EMPHASIS)})\{{(?P<command_body>[^{{}}]{{1,2000}})\}}"
DECLARATION = rf"\{{\\(?P<declaration>{'|'.join(DECLARATIONS)})\s+(?P<declaration_body>[^{{}}]{{1,2000}})\}}"
TEXT_MODE = "|".join((COMMAND, DECLARATION, ACCENT, SYMBOL))
_TEXT_MODE = re.compile(TEXT_MODE)


def accented(base: str, accent: str) -> str:
    """``base`` (a letter, or ``\\i``/``\\j`` for the dotless ones) with the accent, composed if possible."""
    letter = base.removeprefix("\\")  # an accent goes on i and j where it would replace their dot
    return unicodedata.normalize("NFC", letter + _ACCENTS[accent])


def replacement(m: re.Match[str]) -> tuple[str | None, str]:
    """For a TEXT_MODE match: (the HTML tag to wrap it in or None, its text)."""
    if m["command"] is not None:
        return EMPHASIS[m["command"]], text_mode(m["command_body"])
    if m["declaration"] is not None:
        return DECLARATIONS[m["declaration"]], text_mode(m["declaration_body"].rstrip())
    if m["letter"] is not None or m["symbol"] is not None:
        return None, _SYMBOLS[m["letter"] or m["symbol"]]
    base = m["accent_braced"] or m["accent_base"]
    return None, accented(base, m["accent"] or m["letter_accent"])


def text_mode(text: str) -> str:
    """Accents, symbols and escaped characters in plain text made characters (emphasis dropped)."""
    text = _TEXT_MODE.sub(lambda m: replacement(m)[1], text)
    return ESCAPED_CHARACTER.sub(r"\1", text)
