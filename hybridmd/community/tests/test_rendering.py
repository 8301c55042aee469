"""Member Markdown renders to inert HTML, whatever is typed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hybridmd.community.rendering import plain_text, render_markdown

_TAG = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)([^>]*)>")
_SAFE_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def _active_markup(html: str) -> list[str]:
    """Real tags (not escaped text) that are not allowed or carry handlers or script URLs."""
    problems = []
    for name, attributes in _TAG.findall(html):
        if name.lower() not in _SAFE_TAGS:
            problems.append(name)
        if re.search(r"\bon\w+\s*=|javascript:|data:", attributes, re.I):
            problems.append(attributes)
    return problems


_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[y](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">z</a>',
        "<svg onload=alert(1)>",
        "<iframe src=//evil>",
        "**굵게**",
        "- 목록\n- 항목",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "`code`",
        "```\n<script>\n```",
        "흉통 STEMI I21.9",
        "\n\n",
        "<",
        ">",
        '"',
        "&",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=30)), max_size=12).map("".join))
def test_rendered_markdown_has_no_active_content(text):
    html = render_markdown(text)
    assert not _active_markup(html), html
    plain_text(text)


def test_links_are_kept_safe_and_marked_ugc():
    html = render_markdown("[가이드라인](https://www.escardio.org)")
    assert 'href="https://www.escardio.org"' in html
    assert "nofollow" in html
    assert "ugc" in html


def test_tables_and_emphasis_survive():
    html = render_markdown("**ST 상승**\n\n| lead | mm |\n|---|---|\n| V2 | 3 |")
    assert "<strong>ST 상승</strong>" in html
    assert "<table>" in html
