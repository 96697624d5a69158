"""Article text: Markdown in, sanitised HTML and plain text out.

markdown-it-py renders CommonMark (with tables and strikethrough); nh3, the Python binding
of the Ammonia sanitiser, then keeps only the tags and attributes below, so a script or an
event handler in an article body never reaches a browser.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
BLOCK_END = re.compile(r"</(p|li|h[2-4]|tr|blockquote|pre)>|<br\s*/?>")


def body_html(markdown: str) -> str:
    """Sanitised HTML of an article's Markdown; headings start at h2 (the title is h1)."""
    rendered = _markdown.render(markdown)
    rendered = re.sub(r"<(/?)h1>", r"<\1h2>", rendered)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(safe_html: str) -> str:
    """The words of sanitised HTML, one line per block: what is indexed and quoted."""
    with_breaks = BLOCK_END.sub("\n", safe_html)
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
