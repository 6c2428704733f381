"""Article bodies split across sibling containers: find the chunks trafilatura left behind.

Owns one repair: many news pages cut the body into chunks between ad slots
(`<div class="article__chunks"><div class="grid"><div class="body">...` repeated), and
trafilatura sometimes keeps only the first chunk. After extraction we locate the container of
the extracted paragraphs, look up to three levels up for siblings with the same tag and class,
and add the prose of those siblings (paragraph-rich, few links, not already extracted) in
document order.
"""

from __future__ import annotations

from collections import Counter

from lxml.html import HtmlElement

from core.chrome import normalize_block
from core.extraction.cleanup import is_caption_line, is_chrome_line
from core.extraction.prune import leaf_blocks, link_density, text_of

PROSE_TAGS = {"p", "h2", "h3", "h4", "blockquote", "li", "pre"}
MAX_LEVELS = 3
MIN_CHUNK_CHARS = 150
MAX_CHUNK_LINK_DENSITY = 0.3


def _signature(element: HtmlElement) -> tuple:
    return element.tag, element.get("class", "")


def _chunk_paragraphs(chunk: HtmlElement) -> list[str]:
    """Prose blocks of a chunk: no chrome lines, no captions, no link-list items."""
    return [
        text
        for element, text in leaf_blocks(chunk, limit=500)
        if element.tag in PROSE_TAGS
        and not is_chrome_line(text)
        and not is_caption_line(text)
        and link_density(element, len(text)) <= 0.5
    ]


def _is_prose_chunk(chunk: HtmlElement, paragraphs: list[str]) -> bool:
    chars = sum(len(p) for p in paragraphs)
    if chars < MIN_CHUNK_CHARS:
        return False
    return link_density(chunk, len(text_of(chunk))) <= MAX_CHUNK_LINK_DENSITY


def add_missing_chunks(tree: HtmlElement, text: str) -> str:
    """text plus the paragraphs of sibling body chunks it lacks (unchanged when there are none)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return text
    unchanged = set(lines)  # a paragraph that is an extracted line needs no normalising to be found
    extracted: set[str] = set()  # the normalised lines, made when first needed
    parents: Counter = Counter()
    for element, block in leaf_blocks(tree):
        if element.tag != "p":
            continue
        if block not in unchanged:
            extracted = extracted or {normalize_block(ln) for ln in lines}
            if normalize_block(block) not in extracted:
                continue
        parent = element.getparent()
        if parent is not None:
            parents[parent] += 1
    if not parents:
        return text
    anchor = parents.most_common(1)[0][0]
    for _level in range(MAX_LEVELS + 1):
        parent = anchor.getparent()
        if parent is None:
            return text
        siblings = [
            s for s in parent if s is not anchor and isinstance(s.tag, str) and _signature(s) == _signature(anchor)
        ]
        if siblings:
            return _merge(parent, anchor, lines, extracted or {normalize_block(ln) for ln in lines}) or text
        anchor = parent
    return text


def _merge(parent: HtmlElement, anchor: HtmlElement, lines: list[str], extracted: set[str]) -> str | None:
    before, after, seen_anchor, added = [], [], False, False
    for chunk in parent:
        if chunk is anchor:
            seen_anchor = True
            continue
        if not isinstance(chunk.tag, str) or _signature(chunk) != _signature(anchor):
            continue
        paragraphs = _chunk_paragraphs(chunk)
        new = [p for p in paragraphs if normalize_block(p) not in extracted]
        if not new or len(new) < 0.7 * len(paragraphs) or not _is_prose_chunk(chunk, paragraphs):
            continue
        extracted.update(normalize_block(p) for p in new)
        (after if seen_anchor else before).extend(new)
        added = True
    if not added:
        return None
    return "\n".join(before + lines + after)
