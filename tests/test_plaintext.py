"""sitegen.plaintext: rendered HTML read back as text, and excerpts cut at a word."""

from __future__ import annotations

from test_markup import ABSTRACTS

from sitegen.markup import render_markdown
from sitegen.plaintext import excerpt, plain_text


def test_plain_text() -> None:
    assert plain_text("<p>a &amp; b &lt;c&gt; &quot;d&quot; &#169;</p>") == 'a & b <c> "d" ©'
    assert plain_text("<p>one</p>\n<p>two<br>three <em>fo</em>ur</p>") == "one two three four"
    assert plain_text("<ul><li>a</li><li>b</li></ul>") == "a b"
    assert plain_text("5 &gt; 4") == "5 > 4"
    # Without an annotation, MathML is reduced to its token text.
    assert plain_text("<p>x <math><mi>a</mi><mo>+</mo><mi>b</mi></math> y</p>") == "x a+b y"


def test_excerpt() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert excerpt(text, 100) == text
    assert excerpt(text, 18) == "The quick brown…"
    assert excerpt(text, 19) == "The quick brown fox…"
    assert excerpt("Supercalifragilistic", 5) == "Super…"
    assert excerpt("one, two, three", 9) == "one, two…"
    assert excerpt("It works. Then more words follow", 12) == "It works."
    assert excerpt("Really? Yes it is", 10) == "Really?"
    assert not any(excerpt(a).endswith(".…") for a in ABSTRACTS)
    assert len(excerpt(ABSTRACTS[0])) <= 241


def test_plain_text_reads_math_as_its_tex_and_skips_invisible_elements() -> None:
    math = render_markdown(r"Energy \( E = mc^2 \) holds.")
    assert "<math" in math and plain_text(math) == "Energy E = mc^2 holds."
    assert plain_text("<p>a<script>var x = 1;</script>b</p><style>p {}</style>") == "ab"
