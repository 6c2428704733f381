"""Markup that libxml2's HTML parser parses in time linear in its size.

libxml2 (lxml's parser) takes time quadratic in the number of attributes of one start tag: one
tag with 60,000 attributes (650 KB) takes it most of a minute. ``bound_attributes`` keeps the
first ``MAX_ATTRIBUTES`` attributes of such a tag and drops the rest before any parser sees the
page; a page without such a tag comes back as it is (the same object). The crawl process (link
discovery) and the extraction workers both call it; it imports nothing beyond the standard library,
so the crawl process carries nothing more.

The page is read in one pass, the way libxml2's tokenizer (HTML5, WHATWG 13.2.5) reads it: text,
comments, declarations, end tags, the raw text of script, style, title, textarea... (never taken
for tags), and start tags: tag name, then attributes separated by whitespace or ``/``, values
double-quoted, single-quoted or unquoted. Every part of the patterns is possessive, so a page that
never closes a tag, a quote or a comment costs one pass, not a backtrack.
"""

from __future__ import annotations

import codecs
import re

MAX_ATTRIBUTES = 256  # more than any element of the ~2,500 evaluation pages has (at most 151)

_WS = r"\t\n\f\r "
_ATTRIBUTE = (
    r"[^{ws}/>][^{ws}/>=]*+"  # the name (its first character may be "=")
    r"(?:[{ws}]*+=[{ws}]*+(?:\"[^\"]*+\"|'[^']*+'|[^{ws}>]*+))?+"  # "=" and its value
)
_RAW_TEXT = ("script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title")  # libxml2's raw text
_START_TAG = r"(?:[{ws}/]*+{attribute}){{0,{keep}}}+[{ws}/]*+"  # a start tag's attributes, within the bound
_TOKEN = "|".join(
    [
        r"[^<]++",
        r"<!--(?:-?>|(?:[^-]++|-(?!-!?>))*+(?:--!?>|\Z))",  # a comment
        r"<[!?][^>]*+>?",  # a declaration or bogus comment
        r"</[A-Za-z][^{ws}/>]*+(?:[{ws}/]*+{attribute})*+[{ws}/]*+>?",  # an end tag (libxml2 reads, drops attributes)
        r"</[^>]*+>?",  # "</" and no name: a bogus comment
        *(
            rf"<(?i:{name})(?=[{{ws}}/>]){_START_TAG}(?<!/)>(?:[^<]++|<(?!/(?i:{name})[{{ws}}/>]))*+"  # its raw text
            for name in _RAW_TEXT
        ),
        rf"<(?i:plaintext)(?=[{{ws}}/>]){_START_TAG}(?<!/)>.*+",  # raw text to the end of the page
        rf"<[A-Za-z][^{{ws}}/>]*+{_START_TAG}>",  # any other start tag within the bound
        r"<(?![A-Za-z])",  # a "<" that starts nothing
    ]
)
_TOO_MANY = (
    r"(?P<kept><[A-Za-z][^{ws}/>]*+(?:[{ws}/]*+{attribute}){{{keep}}})"  # the tag's first attributes
    r"(?:[{ws}/]*+{attribute})++"  # and the ones dropped
)


def _compile(template: str, kind: type) -> re.Pattern:
    attribute = _ATTRIBUTE.format(ws=_WS)
    pattern = template.format(ws=_WS, attribute=attribute, keep=MAX_ATTRIBUTES)
    return re.compile(pattern if kind is str else pattern.encode("ascii"), re.DOTALL)


_PATTERNS = {kind: (_compile(f"(?:{_TOKEN})*+", kind), _compile(_TOO_MANY, kind)) for kind in (str, bytes)}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bound_attributes(markup: str | bytes) -> str | bytes:
    """``markup`` with no start tag holding more than ``MAX_ATTRIBUTES`` attributes (their first ones
    kept). Bytes in an ASCII-compatible encoding stay bytes; UTF-16 and UTF-32 bytes with a byte
    order mark, which libxml2 decodes by that mark, come back decoded to str."""
    if isinstance(markup, (bytes, bytearray, memoryview)):
        markup = bytes(markup)
        for bom, encoding in _BOMS:
            if markup.startswith(bom):
                markup = markup.decode(encoding, errors="replace")
                break
    tokens, too_many = _PATTERNS[str if isinstance(markup, str) else bytes]
    position = tokens.match(markup).end()
    if position == len(markup):
        return markup
    pieces, start = [], 0
    while position < len(markup):
        tag = too_many.match(markup, position)
        if tag is None:  # a start tag cut off by the end of the page: libxml2 drops it
            break
        pieces.append(markup[start : tag.end("kept")])
        start = tag.end()
        position = tokens.match(markup, start).end()
    pieces.append(markup[start:])
    return markup[:0].join(pieces)
