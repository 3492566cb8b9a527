"""sitegen.texmath: TeX made MathML (its source kept as an annotation), and read as plain text."""

from __future__ import annotations

from sitegen.texmath import plain_title, tex_to_mathml


def test_plain_title() -> None:
    assert plain_title("PanGu-$π$: Enhancing") == "PanGu-π: Enhancing"
    assert plain_title("Level-S$^2$fM: Structure") == "Level-S²fM: Structure"
    title = r"$\alpha$-Net and $\beta_2$ for $\mathcal{O}(n^{ab})$"
    assert plain_title(title) == "α-Net and β₂ for O(n^(ab))"
    assert plain_title("costs $5 and $6 <b>") == "costs $5 and $6 <b>"


def test_tex_to_mathml_keeps_the_source_and_gives_none_for_what_it_cannot_read() -> None:
    mathml = tex_to_mathml(r"\alpha < \beta")
    assert mathml is not None and mathml.startswith("<math")
    assert "<semantics>" in mathml and "<mi>α</mi>" in mathml
    assert '<annotation encoding="application/x-tex">\\alpha &lt; \\beta</annotation>' in mathml
    assert tex_to_mathml(r"\frac{1}{") is None
    assert tex_to_mathml("   ") is None
    assert 'display="block"' in (tex_to_mathml("x", "block") or "")
