"""sitegen.markup: escaped dump text round-trips through rendering; rendering is safe; math is MathML."""

from __future__ import annotations

import random
import re

import pytest
from conftest import SEEDS
from markupsafe import Markup

from sitegen import markup
from sitegen.markup import escape_markdown, render_markdown, render_title
from sitegen.plaintext import plain_text
from sitegen.textmode import text_mode

NOISE = {
    "new",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
}
DATE = re.compile(r"[A-Z][a-z]{2} \d{1,2}")
ABSTRACT_MIN = 300


def dump_abstracts() -> list[str]:
    """Every distinct abstract in the dumps, in file order."""
    seen: dict[str, None] = {}
    for path in SEEDS:
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line in NOISE or DATE.fullmatch(line):
                continue
            line = line.removeprefix("Subscribe")  # glued to the first title in some dumps
            if len(line) >= ABSTRACT_MIN:
                seen.setdefault(line)
    return list(seen)


ABSTRACTS = dump_abstracts()


def normalised(text: str) -> str:
    return " ".join(text.split())


def round_trip(text: str) -> str:
    return plain_text(render_markdown(escape_markdown(text)))


# --- Round trip over the real data --------------------------------------------------------------------------


def test_dumps_have_the_abstracts_we_expect() -> None:
    assert len(ABSTRACTS) == 447
    assert sum("\\(" in a for a in ABSTRACTS) == 1


def test_every_abstract_without_math_round_trips() -> None:
    """Back to the dump's text, TeX text-mode commands (\\%, {\\em x}, \\'e) read as readers see them."""
    failures = [a for a in ABSTRACTS if "\\(" not in a and round_trip(a) != normalised(text_mode(a))]
    assert failures == []


def test_the_math_abstract_renders_mathml_and_keeps_its_text() -> None:
    (abstract,) = [a for a in ABSTRACTS if "\\(" in a]
    html = render_markdown(escape_markdown(abstract))
    assert html.count("<math") == 3
    assert "<msup><mi>x</mi><mi>′</mi></msup>" in html
    # The TeX comes back through the annotation, so only the delimiters are gone.
    without_delimiters = re.sub(r"\\\(\s*(.*?)\s*\\\)", r"\1", abstract)
    assert plain_text(html) == normalised(text_mode(without_delimiters))
    assert "(SSM) x'(t) = Ax(t) + Bu(t), y(t) = Cx(t) + Du(t), and showed" in plain_text(html)


def test_escaped_abstracts_stay_readable() -> None:
    text = r"1-5\% of {\em x}, {\it y}, na\"ively, 4 < 5, T>0, ~8K, |p|, Wide & Deep, Gb\'e, 'quoted''"
    assert escape_markdown(text) == text
    assert escape_markdown("M(*)>10^{10} I_{rm mag}< 25 [Lewkowycz et al. 2020] ``a''") == (
        r"M(\*)>10^{10} I\_{rm mag}< 25 [Lewkowycz et al. 2020\] \`\`a''"
    )


def test_fast_path_gives_the_same_bytes_as_markdown() -> None:
    for abstract in ABSTRACTS:
        source = escape_markdown(abstract)
        assert render_markdown(source) == markup._render_with_markdown(source)
    assert sum(markup.is_plain_paragraph(escape_markdown(a)) for a in ABSTRACTS) > 300


@pytest.mark.parametrize(
    "text",
    [
        "a\xa0b",  # html5ever writes U+00A0 as &nbsp;
        "zero\u200bwidth\ufeffmarks",
        "lines\u2028and\u2029paragraphs",
        "non\ufdd0characters\uffff and \U0010ffff",
        "quotes \" ' and > alone",
        "ümlaut, ß, 中文, emoji \U0001f600",
        "1. starts like a list",
        "ends with a space ",
        "form\x0cfeed",
    ],
)
def test_fast_path_gives_the_same_bytes_on_unusual_characters(text: str) -> None:
    assert render_markdown(text) == markup._render_with_markdown(text)


# --- Handmade round trips -----------------------------------------------------------------------------------

SPECIAL = [
    "*a*",
    "**a**",
    "_a_",
    "__a__",
    "a*b*c and x_y_z",
    "`x`",
    "``x``",
    "[a](b)",
    "[a][b]",
    "![a](b)",
    "[a]: http://example.com",
    "<b>",
    "</p>",
    "<!-- c -->",
    "<div>x</div>",
    "<http://example.com>",
    "<a@b.c>",
    "&amp;",
    "&lt;",
    "&#169; &#x1F; &#1",
    "AT&T",
    "# x",
    "#x",
    "###",
    "1. x",
    "12. x",
    "- x",
    "+ x",
    "* x",
    "> x",
    "---",
    "-- -- --",
    "***",
    "___",
    "===",
    "a\n===",
    "a\n---",
    r"\%",
    r"{\em x}",
    "\\\\",
    "\\",
    "a\\",
    r"\*",
    r"\\*a*",
    "trailing spaces   ",
    "two spaces  \nline",
    "    indented code",
    "\ttab",
    "|a|b|",
    "~x~",
    "$x$",
    "$$x$$",
    "costs $5 and $6",
    r"\$ \( \) \[ \] \\( \\)",
    r"\[x\]",
    "``quoted''",
    "a\n\nb",
    "a\r\nb\rc",
    "{{ 7*7 }} {% raw %}",
]


@pytest.mark.parametrize("text", SPECIAL)
def test_special_text_round_trips(text: str) -> None:
    assert round_trip(text) == normalised(text_mode(text))


def test_all_specials_together_round_trip() -> None:
    text = " ".join(SPECIAL).replace("\n", " ")
    assert round_trip(text) == normalised(text_mode(text))
    assert "<math" not in render_markdown(escape_markdown(text))


def test_random_text_round_trips() -> None:
    # Deterministic fuzzing over the characters and sequences Markdown cares about.
    pieces = [*"\\`*_[]()<>&$#=+-.!{}|~:;'\"%^ \n\tab1@/?", "&amp;", "&#1", "1. ", "    ", "<b>", "</p>"]
    pieces += ["<!--", "-->", "\n\n", "[a]: ", "<http://a>", "<a@b.c>", "![", "](", "\\\\", "$$", "\\["]
    rng = random.Random(20240729)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        if "\\(" in text:  # math is kept verbatim on purpose
            continue
        assert round_trip(text) == normalised(text_mode(text)), repr(text)


def test_escape_keeps_math_verbatim_and_strips_line_ends() -> None:
    assert escape_markdown(r"model \( x_1 * y \) costs 5_000") == r"model \( x_1 * y \) costs 5\_000"
    assert escape_markdown("  a  \n  b  ") == "a\nb"


# --- Hostile Markdown ---------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<style>body{display:none}</style>",
    '<div style="position:fixed">x</div>',
    '<p onclick="alert(1)">x</p>',
    "<object data=x></object><embed src=x><form action=x><input></form>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<math href="javascript:alert(1)"><mi>x</mi></math>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    r"$\text{<script>alert(1)</script>}$",
    r"\( <img src=x onerror=alert(1)> \)",
    r"$\href{javascript:alert(1)}{x}$",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_inert(source: str) -> None:
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "<iframe" not in html
    assert "<img" not in html
    assert "<svg" not in html
    assert "<style" not in html
    assert "<object" not in html
    assert "<form" not in html
    # Inside tags only: TeX source is kept as text in <annotation>, where "javascript:" is harmless.
    assert not re.search(r"<[^>]*(javascript|data):", html)
    assert not re.search(r"<[^>]*\s(on\w+|style|href=\"(?!https?:|mailto:|/))", html)


def test_tex_cannot_smuggle_html() -> None:
    html = render_markdown(r"$\text{<script>}$")
    assert "<mtext>&lt;script&gt;</mtext>" in html
    assert plain_text(html) == r"\text{<script>}"
    assert "<script" not in str(render_title(r"A $\text{<script>}$ B"))


def test_jinja_syntax_comes_out_as_text() -> None:
    assert render_markdown("{{ 7*7 }} {% raw %}") == "<p>{{ 7*7 }} {% raw %}</p>"
    assert render_markdown("*{{ x }}*") == "<p><em>{{ x }}</em></p>"


def test_ordinary_markdown_still_works() -> None:
    html = render_markdown(
        "*em* **strong** `code $x$` ~~x~~\n\n"
        '[abs](https://example.org/a?b=1&c=2 "t") [rel](/papers/x/) [mail](mailto:a@b.c) <http://a.b>\n\n'
        "- one\n- two\n\n3. three\n4. four\n\n> quote\n\n### Heading\n\n    code block"
    )
    assert "<em>em</em> <strong>strong</strong> <code>code $x$</code>" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" title="t" rel="noopener nofollow">abs</a>' in html
    assert '<a href="/papers/x/">rel</a>' in html
    assert '<a href="mailto:a@b.c">mail</a>' in html
    assert '<a href="http://a.b" rel="noopener nofollow">http://a.b</a>' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert "<blockquote>" in html
    assert "<h3>Heading</h3>" in html
    assert "<pre><code>code block\n</code></pre>" in html


def test_rel_is_set_by_us_not_the_author() -> None:
    html = render_markdown('<a href="https://x.example" rel="opener" title="a>b">x</a>')
    assert html == '<p><a href="https://x.example" title="a&gt;b" rel="noopener nofollow">x</a></p>'


def test_rendering_is_deterministic() -> None:
    source = "Text with \\( A \\), $x^2$ and [a](https://a.example) " * 3
    assert render_markdown(source) == render_markdown(source)
    assert render_markdown("") == ""


# --- Math ---------------------------------------------------------------------------------------------------


def test_inline_and_display_math() -> None:
    inline = render_markdown(r"a $x^2$ and \(\frac{a}{b}\) b")
    assert inline.startswith("<p>a <math") and inline.endswith("</math> b</p>")
    assert 'display="inline"' in inline and "<msup>" in inline and "<mfrac>" in inline
    for source in (r"$$\sum_i x_i$$", r"\[\sqrt{x}\]"):
        html = render_markdown(source)
        assert html.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')


def test_math_is_not_touched_by_markdown_and_code_is_not_math() -> None:
    assert "<em>" not in render_markdown(r"$a_1 * b_2 * c$")
    assert render_markdown("`$x$`") == "<p><code>$x$</code></p>"
    assert render_markdown(r"\$x\$") == "<p>$x$</p>"


def test_malformed_tex_is_shown_as_text() -> None:
    assert render_markdown(r"$\frac{$ and *b*") == r"<p>$\frac{$ and <em>b</em></p>"
    assert render_markdown(r"\( \frac{ \)") == r"<p>\( \frac{ \)</p>"
    assert str(render_title(r"A $\frac{$ B")) == r"A $\frac{$ B"


def test_render_title() -> None:
    pangu = render_title("PanGu-$π$: Enhancing Language Model Architectures")
    assert isinstance(pangu, Markup)
    assert pangu.startswith("PanGu-<math") and "<mi>π</mi>" in pangu
    assert "$" not in pangu.replace("application/x-tex", "")
    assert render_title("Level-S$^2$fM: Structure") == "Level-S<sup>2</sup>fM: Structure"  # no gap
    assert render_title("a$_{ij}$") == "a<sub>ij</sub>"
    assert render_title("<script>alert(1)</script> & co") == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"


def test_lone_dollars_stay_text() -> None:
    assert render_title("costs $5 and $6") == "costs $5 and $6"
    assert render_title("from $ 5 to $ 6") == "from $ 5 to $ 6"
    assert render_title("$x $ and $ y$") == "$x $ and $ y$"
    assert render_markdown("costs $5 and $6") == "<p>costs $5 and $6</p>"
    assert "<math" in render_title("a $x$ b")
