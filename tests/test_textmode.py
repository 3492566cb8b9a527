"""sitegen.textmode through the abstract renderer: TeX text-mode commands become text and emphasis."""

from __future__ import annotations

import pytest

from sitegen.markup import escape_markdown, render_markdown
from sitegen.plaintext import plain_text
from sitegen.textmode import text_mode


def rendered(dump_text: str) -> str:
    """What a reader sees of an abstract imported from ``dump_text``."""
    return render_markdown(escape_markdown(dump_text))


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (r"up to 12\% faster", "<p>up to 12% faster</p>"),
        (r"Salt \& pepper", "<p>Salt &amp; pepper</p>"),
        (r"a {\em sparse} code", "<p>a <em>sparse</em> code</p>"),
        (r"a {\it sparse code} here", "<p>a <em>sparse code</em> here</p>"),
        (r"\emph{first} and \textit{second}", "<p><em>first</em> and <em>second</em></p>"),
        (r"the \textbf{Mamba} block", "<p>the <strong>Mamba</strong> block</p>"),
        (r"{\bf bold \'etude}", "<p><strong>bold étude</strong></p>"),
        (r"Caf\'e, Schr\"odinger, Fran\c{c}ais", "<p>Café, Schrödinger, Français</p>"),
        (r"{\'E}cole, \'{a}, \^o, \~n, \v{s}, \c c, \'\i", "<p>École, á, ô, ñ, š, ç, í</p>"),
        (r"Stra\ss e and \o re, \ldots and more", "<p>Straße and øre, … and more</p>"),
    ],
)
def test_text_mode_commands_render_as_text(source: str, html: str) -> None:
    assert rendered(source) == html


@pytest.mark.parametrize(
    "source",
    [
        r"larger models (\aka more parameters)",
        r"see \url{x} and \cite{y}",
        r"a \newcommand and a lone \ backslash",
        r"\c1 and \'1 are not accents",
    ],
)
def test_unknown_macros_stay_as_written(source: str) -> None:
    assert plain_text(rendered(source)) == source


def test_math_stays_mathml_beside_text_mode() -> None:
    html = render_markdown(r"We get 5\% with \(\alpha_1\) and {\em x} $y$")  # as a paper file holds it
    assert "5%" in html and "<em>x</em>" in html
    assert html.count("<math") == 2 and "<mi>α</mi>" in html


def test_markdown_escapes_are_not_accents() -> None:
    """\\` \\= \\. are Markdown escapes in a paper file: a backtick, an equals sign and a dot stay so."""
    assert plain_text(render_markdown(r"\`e \=o 1\. x")) == "`e =o 1. x"


def test_text_mode_is_the_plain_text_of_the_rendering() -> None:
    source = r"On {\it na\"ive} coding: 30\% of Gb\'e \textbf{sentences} (\aka text)"
    assert (
        text_mode(source)
        == plain_text(rendered(source))
        == "On naïve coding: 30% of Gbé sentences (\\aka text)"
    )
