"""HTML source pasted as is, read as the Markdown the layout readers know."""

from __future__ import annotations

from sitegen.htmlpage import html_lines, is_html


def test_html_becomes_markdown_lines_that_name_their_source_line():
    source = (
        "<div>\n<h3><a href='/papers/2401.00001'>A Title</a></h3>\n<script>var x = '<h3>no</h3>';</script>\n"
        "<p>Text with *stars*, [brackets]\nand &lt;tags&gt;.</p>\n<img src=x.png>\n</div>\n"
    )
    lines, numbers = html_lines(source)
    pairs = [(n, line) for n, line in zip(numbers, lines, strict=True) if line]
    assert pairs == [
        (2, "### [A Title](https://huggingface.co/papers/2401.00001)"),
        (4, "Text with \\*stars\\*, \\[brackets\\] and \\<tags\\>."),
    ]


def test_only_a_page_that_opens_with_markup_is_html():
    assert is_html("<!DOCTYPE html><html>") and is_html("  <div class=card>")
    assert not is_html("A title about <b> tags\n\nAn abstract.") and not is_html("x < y")
