"""sitegen.sanitise: only the allowed HTML and MathML survive; links are marked by us, not by authors."""

from __future__ import annotations

from sitegen.sanitise import sanitise, sanitise_math


def test_scripts_and_styles_go_with_their_content_and_event_handlers_are_dropped() -> None:
    dirty = '<p onclick="x()">keep</p><script>alert(1)</script><style>p{}</style><iframe src="x"></iframe>'
    assert sanitise(dirty) == "<p>keep</p>"


def test_absolute_links_get_rel_and_relative_links_do_not() -> None:
    assert sanitise('<a href="https://example.org/" rel="me">x</a>') == (
        '<a href="https://example.org/" rel="noopener nofollow">x</a>'
    )
    assert sanitise('<a href="//example.org/">x</a>').endswith('rel="noopener nofollow">x</a>')
    assert sanitise('<a href="../other/">x</a>') == '<a href="../other/">x</a>'
    assert sanitise('<a href="javascript:alert(1)">x</a>') == "<a>x</a>"


def test_mathml_keeps_its_presentation_attributes_but_no_link() -> None:
    math = '<math display="block"><mrow href="javascript:x"><mi mathvariant="bold">a</mi></mrow></math>'
    expected = '<math display="block"><mrow><mi mathvariant="bold">a</mi></mrow></math>'
    assert sanitise(math) == expected
    assert sanitise_math(math + "<p>text</p>") == expected + "text"
