"""Every HTML fragment the site shows passes through ``sanitise``: curators write notes and edit abstracts, so
Markdown may carry hostile HTML, and latex2mathml itself passes ``\\text{<script>}`` through unescaped. nh3
(Ammonia) keeps an allowed subset of HTML and MathML; absolute links get rel="noopener nofollow"."""

from __future__ import annotations

import re

import nh3

from sitegen.texmath import MATHML_ATTRIBUTES, MATHML_TAGS

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


def sanitise_math(fragment: str) -> str:
    return nh3.clean(fragment, tags=_MATH_TAG_SET, attributes=MATHML_ATTRIBUTES, link_rel=None)
