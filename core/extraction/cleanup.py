"""Line-level clean-up of extracted text, with the chrome phrase vocabulary of vocab/*.txt.

Owns: which single lines are chrome whatever the markup around them (reading time,
"Kommentar (0)", rating and comment-form prompts, ad placeholders like "[Anzeige_2]",
share/newsletter prompts, chrome section headings such as "Cùng chuyên mục"), attribution
lines ("Quelle: ...", "Source: ...", "Nguồn: ...": kept as metadata, removed from text),
photo credits and captions (removed unless ExtractOptions.keep_captions), bylines and date
lines at the edges of the text, and a title repeated as the first line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

try:  # the regex parser, to learn which characters a chrome pattern can start with (private, so guarded)
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # gone in a later Python: every alternative is tried on every line
    sre_constants = sre_parse = None

from core.chrome import block_hash, normalize_block
from core.extraction import vocabulary


@functools.cache
def _full(*alternatives: str) -> re.Pattern:
    """One case-insensitive pattern matching a whole line that is any of the alternatives."""
    if not alternatives:
        return re.compile(r"(?!)")  # no alternative: nothing matches
    return re.compile(r"^\s*(?:" + "|".join(alternatives) + r")[\s:：.…!]*$", re.I)


# Headings of related / recommended / most-read lists (the list after them is chrome too), and
# lines that are chrome on their own, in every language we crawl: data in vocab/<language>.txt.
SECTION_HEADING_PATTERNS = vocabulary.SECTION_HEADING_PATTERNS
CHROME_LINE_PATTERNS = vocabulary.CHROME_LINE_PATTERNS
CHROME_LINE_RE = _full(*CHROME_LINE_PATTERNS)
# Chrome lines recognised by a word anywhere in them; tried only when the word occurs (a
# pattern that may start anywhere makes every long line slow). The words: "newsletter",
# "trustpilot", "contributed" (written out in is_chrome_line: three `in` tests are cheapest).
FLOATING_RE = _full(
    r".{0,160}\b(?:sign(?:ing)? up|subscrib\w*|abonnier\w*|anmelde?n?|registrier\w*|đăng ký)\b.{0,160}\bnewsletters?\b.{0,160}",
    r".{0,160}\bnewsletters?\b.{0,160}\b(?:sign(?:ing)? up|subscrib\w*|abonnier\w*|anmelde?n?|inbox|postfach)\b.{0,160}",
    r".{1,200} contributed (?:reporting|to this (?:report|story|article)).{0,120}",
    r".{0,200}\btrustpilot\b.{0,200}",
)
SECTION_HEADING_RE = _full(*SECTION_HEADING_PATTERNS)

# "Quelle: ...", "Source: ...", "Nguồn: ...", or the bare word (the link text of a source link).
SOURCE_LINE_RE = re.compile(
    r"^\s*(?:quelle|quellen|source|sources|nguồn|来源|出处|文章来源|originalquelle|original source)"
    r"\s*(?:[:：]\s*(?P<value>.{1,300}?))?\s*$",
    re.I,
)
# Vietnamese attribution at the end of a story: "Theo Reuters", "(Theo VnExpress)", "Minh Anh (theo AFP)".
THEO_SOURCE_RE = re.compile(
    r"^\s*(?:[A-ZĐ][\w]*(?:\s+[A-ZĐ][\w]*){0,4}\s*)?\(?[Tt]heo\s+"
    r"(?P<value>[A-ZĐ][\w.&-]*(?:\s+[A-ZĐ][\w.&-]*){0,3})\s*\.?\)?\s*$"
)

# Photo credits and captions: "Foto: Bloomberg", "Bildquelle: Stanford University", a caption
# ending in a credit ("... Tech-Welt auf. Foto: Bloomberg .", "(Quelle: Getty)"). The credit
# word must open the line, follow "(" or end a sentence before it, and be followed by a short
# name: "folgendes Bild: Die Kosten steigen." is prose, not a credit.
CREDIT_WORDS = (
    r"(?:Foto|Fotos|FOTO|Photo|Photos|PHOTO|Bild|Bilder|Bildquelle|Bildnachweis|Image|Images|"
    r"Ảnh|ẢNH|Hình|Hình ảnh|图片|图|Credit|Credits|Quelle|Source|Nguồn)"
)
CREDIT_NAME = r"\s*[:：]\s*(?:©\s*)?[^\s.:][^.:]{0,60}?(?:\s*\.)?[\s)|]*"
CREDIT_LINE_RE = re.compile(r"^\s*\(?" + CREDIT_WORDS + CREDIT_NAME + r"$")
CAPTION_WITH_CREDIT_RE = re.compile(r"^.{0,400}(?:\(|[.!?|]\s+)" + CREDIT_WORDS + CREDIT_NAME + r"$")
PHOTO_BY_RE = re.compile(r"^.{0,300}\((?:photo|foto|image|bild)\s+(?:by|von|:)[^)]{1,80}\)\s*$", re.I)
AGENCY_CREDIT_RE = re.compile(
    r"^\s*(?:\(?(?:AP|AFP|dpa|Reuters|Getty Images|EPA|Xinhua|Imago|picture alliance|"
    r"Keystone|ddp|Shutterstock|iStock|Bloomberg|Anadolu)\s*(?:Photo|Foto|Images)?"
    r"\s*/[^\n]{1,80}\)?|©.{1,120})\s*$",
    re.I,
)

# a credit needs one of these (lowercased) somewhere in the line
CREDIT_HINTS = ("foto", "photo", "bild", "image", "ảnh", "hình", "图", "credit", "quelle", "source", "nguồn", "©", "/")
CREDIT_HINT_RE = re.compile("|".join(map(re.escape, CREDIT_HINTS)))  # search: any of them occurs

# a name: capitalised words (and agency shorthands), joined by commas, "und", "and", "&"
NAME_WORD = r"(?:(?-i:[A-ZÄÖÜÀ-ÝĐ][\w.'’-]*)|dpa|afp|ap|epd|kna|sid|reuters)"
BYLINE_RE = re.compile(
    r"^\s*(?:(?:date\s+)?[\d./-]{4,10}\s+)?(?:von|by|bởi|tác giả|作者|autor|author)[:：]?\s+"
    r"(?P<name>" + NAME_WORD + r"(?:,?\s+(?:und\s+|and\s+|&\s+|von\s+|van\s+|de\s+)?" + NAME_WORD + r"){0,6})\s*$",
    re.I,
)
# a Korean byline: the name, then the word for reporter (and often an e-mail address)
REPORTER_LINE_RE = re.compile(r"^\s*(?P<name>[가-힣]{2,4})\s?기자(?:\s*[\w.+-]+@[\w.-]+)?\s*$")
MONTHS = (
    r"jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec|januar|februar|märz|april|"
    r"juni|juli|august|september|oktober|november|dezember|january|february|march|june|july|october|"
    r"december|tháng"
)
DATE_TOKEN_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d\d|\b(?:" + MONTHS + r")\.?\s+\d{1,4}\b|"
    r"\b\d{1,2}\.?\s+(?:" + MONTHS + r")\b|\b\d{4}-\d\d\b",
    re.I,
)
SENTENCE_END_RE = re.compile(r"[^\W\d_]{3,}[.!?]$")
LIST_MARKS = "-•·▪●◦‣∙"  # list markers: trafilatura writes "- item"
LIST_MARK_RE = re.compile("^[" + re.escape(LIST_MARKS) + r"]\s+")
TRUNCATED_TEASER_RE = re.compile(r"^.{10,200}(?:\w|\s)(?:\.\.\.|…)$")  # "... Wenn S...", "lieber ..."
SECTION_TAIL_SHARE = 0.35  # a chrome heading takes the lines after it when they are at most this share
INLINE_CHROME_RE = re.compile(r"\s*(?:Click To Tweet|Tweet this|Zum Tweeten klicken)\s*$", re.I)
INLINE_CHROME_WORD = "tweet"  # in every INLINE_CHROME_RE alternative: no line without it can match
EDGE_LINES = 3  # bylines, date lines and site names are only dropped this close to the edges


@dataclass
class Cleaned:
    """The text after the line clean-up, the source line it found, the lines it dropped and the byline."""

    text: str
    source: str | None
    dropped: list[str]
    byline: str | None = None  # the name in a "Von ..." / "By ..." line that was dropped


DIGIT = r"\d"  # stands in _first_chars' sets for every character \d matches


def _first_chars(items) -> tuple[set[str] | None, bool]:
    """The characters a match of parsed pattern items can start with (None: any, or not known
    here), and whether the items can match the empty string."""
    chars: set[str] = set()
    for op, av in items:
        if op == sre_constants.AT:  # ^, $, \b: zero width
            continue
        if op == sre_constants.LITERAL:
            return chars | {chr(av)}, False
        if op == sre_constants.IN:
            for item_op, item_av in av:
                if item_op == sre_constants.LITERAL:
                    chars.add(chr(item_av))
                elif item_op == sre_constants.RANGE and item_av[1] - item_av[0] <= 256:
                    chars.update(map(chr, range(item_av[0], item_av[1] + 1)))
                elif item_op == sre_constants.CATEGORY and item_av == sre_constants.CATEGORY_DIGIT:
                    chars.add(DIGIT)
                else:
                    return None, False
            return chars, False
        if op == sre_constants.BRANCH:
            branches = [_first_chars(branch) for branch in av[1]]
            if any(first is None for first, _empty in branches):
                return None, False
            chars.update(*(first for first, _empty in branches))
            nullable = any(empty for _first, empty in branches)
        elif op == sre_constants.SUBPATTERN:
            first, nullable = _first_chars(av[-1])
            if first is None:
                return None, False
            chars |= first
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            first, nullable = _first_chars(av[2])
            if first is None:
                return None, False
            chars |= first
            nullable = nullable or av[0] == 0
        else:  # any character, a category, a lookaround...
            return None, False
        if not nullable:
            return chars, False
    return chars, True


SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # every str.isspace() character


def _start_test(alternative: str) -> re.Pattern | None:
    """A case-insensitive pattern for the characters a match of the alternative can start with;
    None when it may start with any character or with a space, or match the empty string."""
    if sre_parse is None:
        return None
    chars, nullable = _first_chars(sre_parse.parse(alternative, re.I).data)
    if chars is None or nullable or not chars:
        return None
    test = re.compile("|".join(ch if ch == DIGIT else re.escape(ch) for ch in sorted(chars)), re.I)
    return None if any(test.match(space) for space in SPACES) else test


# For each chrome alternative, the characters it can start with (None: any).
CHROME_LINE_STARTS = tuple(_start_test(alternative) for alternative in CHROME_LINE_PATTERNS)


@functools.lru_cache(maxsize=4096)  # first characters seen; the patterns themselves are shared (_full)
def _chrome_line_re(first: str) -> re.Pattern:
    """CHROME_LINE_RE with only the alternatives that can start with `first`, the line's first
    character after leading spaces: it matches exactly the lines with that first character that
    CHROME_LINE_RE matches (the others cannot match there), at a fraction of the cost."""
    return _full(
        *(
            alternative
            for alternative, start in zip(CHROME_LINE_PATTERNS, CHROME_LINE_STARTS)
            if start is None or start.match(first)
        )
    )


def is_chrome_line(line: str) -> bool:
    """True when the whole line is chrome in any language (see CHROME_LINE_RE)."""
    if len(line) > 600:
        return False
    first = line.lstrip()[:1]  # str.lstrip() and the pattern's \s strip the same characters
    if (_chrome_line_re(first) if first else CHROME_LINE_RE).match(line):
        return True
    lowered = line.lower()
    return ("newsletter" in lowered or "trustpilot" in lowered or "contributed" in lowered) and bool(
        FLOATING_RE.match(line)
    )


def is_section_heading(line: str) -> bool:
    """True for headings of related/recommended/most-read lists ("Cùng chuyên mục", "Related")."""
    return len(line) <= 100 and bool(SECTION_HEADING_RE.match(line))


def is_caption_line(line: str) -> bool:
    """A photo credit or a caption that ends in one."""
    if len(line) > 500:
        return False
    lowered = line.lower()
    if not CREDIT_HINT_RE.search(lowered):
        return False  # cheap test first: the patterns below may start anywhere in a line
    return bool(
        CREDIT_LINE_RE.match(line)
        or CAPTION_WITH_CREDIT_RE.match(line)
        or PHOTO_BY_RE.match(line)
        or AGENCY_CREDIT_RE.match(line)
    )


def _is_date_line(line: str) -> bool:
    """A short line that is mostly a date ("07/02/2025", "Montag, 27. Januar 2025, 14:05 Uhr")."""
    return (
        len(line) <= 80
        and len(line.split()) <= 8
        and not SENTENCE_END_RE.search(line)
        and bool(DATE_TOKEN_RE.search(line))
    )


def _is_site_name_line(line: str, site_name: str) -> bool:
    """The site's name, maybe twice, maybe with a date: "Báo Quốc TếBáo Quốc Tế07/02/2025"."""
    if len(site_name) < 3 or len(line) > 3 * len(site_name) + 40:
        return False
    rest = re.sub(re.escape(site_name), " ", line, flags=re.I)
    if rest == line:
        return False
    rest = rest.strip(" \t|·-–—,:")
    return not rest or len(rest.split()) <= 2 or _is_date_line(rest)


NON_WORD_RE = re.compile(r"\W+")


def _comparable(text: str) -> str:
    return normalize_block(NON_WORD_RE.sub(" ", text))


def _same_text(line: str, b: str) -> bool:
    """The line is the title (b: its _comparable form), maybe with a kicker ("BREAKING NEWS: ...")
    or a site suffix."""
    if not b:
        return False
    a = _comparable(line)
    if not a:
        return False
    return a == b or (len(b) >= 20 and b in a and len(a) <= 1.5 * len(b))


def _strip_marks(line: str) -> str:
    """The stripped line without a leading list marker and a trailing "Click To Tweet"; the
    patterns run only when their first character or their word is there (else they cannot match)."""
    if line[:1] in LIST_MARKS:
        line = LIST_MARK_RE.sub("", line)
    if INLINE_CHROME_WORD in line.lower():
        line = INLINE_CHROME_RE.sub("", line)
    return line


def clean_text(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    site_name: str | None = None,
    site_chrome: frozenset[str] = frozenset(),
    keep_captions: bool = False,
    known_hashes: dict[str, str] | None = None,
) -> Cleaned:
    """Drop chrome lines from extracted text; return the prose, the attribution and what went.

    known_hashes: block_hash of texts already hashed (the page's blocks),
    so that lines equal to them are not hashed again."""
    lines = [_strip_marks(ln.strip()) for ln in text.replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    learned_lines: list[bool] = []  # per line: its hash is site chrome
    if site_chrome:
        known = known_hashes or {}
        learned_lines = [(known.get(ln) or block_hash(ln)) in site_chrome for ln in lines]
        learned = sum(len(ln) for ln, is_learned in zip(lines, learned_lines) if is_learned)
        if learned > 0.5 * sum(len(ln) for ln in lines):
            site_chrome = frozenset()  # a page seen before: keep it whole, dedup decides
    kept: list[str] = []
    dropped: list[str] = []
    source = byline = section_at = None
    for index, line in enumerate(lines):
        near_edge = index < EDGE_LINES or index >= len(lines) - EDGE_LINES
        source_match = SOURCE_LINE_RE.match(line) or (index >= len(lines) - EDGE_LINES and THEO_SOURCE_RE.match(line))
        if source_match:
            value = source_match.group("value")
            if source is None and value:
                source = value.strip()
            dropped.append(line)
        elif near_edge and (byline_match := BYLINE_RE.match(line) or REPORTER_LINE_RE.match(line)):
            byline = byline or byline_match.group("name")
            dropped.append(line)
        elif (
            is_chrome_line(line)
            or (site_chrome and learned_lines[index])
            or (not keep_captions and is_caption_line(line))
            or (
                near_edge
                and author
                and len(line) <= len(author) + 12
                and normalize_block(author) in normalize_block(line)
            )
            or (near_edge and site_name and _is_site_name_line(line, site_name))
            or (index < EDGE_LINES and _is_date_line(line))
        ):
            dropped.append(line)
            if section_at is None and index >= len(lines) // 2 and is_section_heading(line):
                section_at = len(kept)
        else:
            kept.append(line)
    kept = _drop_section_tail(kept, dropped, section_at)
    if title:  # the title repeated at the top (maybe after a caption we already dropped)
        title_text = _comparable(title)
        for line in [ln for ln in kept[:EDGE_LINES] if _same_text(ln, title_text)]:
            kept.remove(line)
            dropped.append(line)
    return Cleaned("\n\n".join(kept), source, dropped, byline)


def _drop_section_tail(kept: list[str], dropped: list[str], section_at: int | None) -> list[str]:
    """A related/recommended heading (dropped) in the second half takes the short tail after
    it along ("Artikel empfehlen" + teaser titles + truncated snippets), as the DOM pruning does."""
    if section_at is not None:
        tail = kept[section_at:]
        if tail and sum(len(ln) for ln in tail) <= SECTION_TAIL_SHARE * sum(len(ln) for ln in kept):
            dropped.extend(tail)
            kept = kept[:section_at]
    # truncated teaser snippets ("Viele Menschen gehen im Herbst gerne wandern. Der...") in the
    # second half, each with the teaser title right before it; one or two lines trailing off
    # with an ellipsis may be prose, three or more are a teaser list
    doomed = set()
    for index in range(len(kept) // 2, len(kept)):
        line = kept[index]
        if len(line) <= 200 and TRUNCATED_TEASER_RE.match(line):
            doomed.add(index)
            if index and len(kept[index - 1]) <= 120 and not kept[index - 1].endswith("."):
                doomed.add(index - 1)
    if sum(1 for i in doomed if TRUNCATED_TEASER_RE.match(kept[i])) >= 3:
        dropped.extend(kept[i] for i in sorted(doomed))
        return [ln for i, ln in enumerate(kept) if i not in doomed]
    return kept
