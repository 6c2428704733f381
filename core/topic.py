"""The topic filter: is a page's clean title and text about one of the topic terms?

Pure. It only ever sees extracted article text, never page chrome, so a sidebar teaser that names
the topic cannot make an off-topic page count.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import re
import unicodedata
from dataclasses import dataclass


def compile_terms(terms) -> re.Pattern | None:
    """One case-insensitive pattern for all terms; each term must start at a word boundary (except in
    CJK scripts) and may be followed by an inflection or suffix ("DeepSeeks", "DeepSeek-R1").
    None means no filter."""
    terms = [unicodedata.normalize("NFKC", term).strip() for term in terms if term.strip()]
    if not terms:
        return None
    return re.compile("|".join(map(_term_pattern, terms)), re.IGNORECASE)


def _term_pattern(term: str) -> str:
    words = r"\s+".join(map(re.escape, term.split()))
    if unicodedata.east_asian_width(term[0]) in ("W", "F"):
        return words  # CJK scripts do not separate words: no boundary to require
    return rf"(?<!\w){words}"


def on_topic(pattern: re.Pattern | None, title: str | None, text: str | None) -> bool:
    if pattern is None:
        return True
    return any(pattern.search(unicodedata.normalize("NFKC", part)) for part in (title, text) if part)


# -- the pre-filter: can a page's extraction name a term at all? -----------------------------------------
# What the extracted title and text can hold that the page's HTML does not spell out literally: entities
# (&#68;eepSeek, &amp;), escapes in script bodies (JSON-LD: \u0044eepSeek, markup as \u003cb\u003e), a
# word split by inline tags (Deep<b>Seek</b>), attribute values (og:title, alt), compatibility forms
# (fullwidth letters: NFKC), case, and the characters clean-up removes inside words (soft hyphens,
# zero-width spaces). The pre-filter compares skeletons that none of these change, of the page with its
# tags kept and with them removed (read two ways), before and after unescaping: compatibility-decomposed
# (NFKD) and case-folded, without ASCII characters other than letters and digits, and with any run of
# other non-ASCII characters allowed between two characters of a term (combining marks, soft hyphens).
#
# Speed without changing a single answer (``reference_may_be_on_topic`` is the definition, kept for the
# tests and the benchmark): the skeleton of a reading is computed on bytes, folding only its runs of
# non-ASCII characters (``_letters``: NFKD, case folding and NFKD act on each character alone except for
# the canonical reordering of combining marks, which never crosses an ASCII character, so folding each
# maximal non-ASCII run gives the same string as folding the whole text); the tag pattern is written so
# that the regex engine takes runs of plain characters at once (the same matches: a tag's characters
# split into plain characters, quoted values and its closing > one way only); a reading equal to one
# already read is not unescaped again (removing tags the two ways gives the same text on most pages); a
# round of unescaping that can change nothing is not run (``_unescape``). The tests compare the two
# readings on tricky and adversarial pages, bench_prefilter.py on the evaluation pages.
TAG_RE = re.compile(
    r"<!--.*?-->|<[A-Za-z/!?][^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>", re.S
)  # quoted values may hold >
REFERENCE_TAG_RE = re.compile(r"<!--.*?-->|<[A-Za-z/!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)  # the same matches
PLAIN_TAG_RE = re.compile(r"<[A-Za-z/!?][^>]*>")  # as a reader that ignores quotes ends a tag
ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([ntrbf]))")  # others: the letter counts as it is
ESCAPED_SPACE = {"n": "\n", "t": "\t", "r": "\r", "b": " ", "f": " "}
ASCII_NOT_ALNUM = bytes(code for code in range(128) if not chr(code).isalnum())
NON_ASCII_BYTES = bytes(range(128, 256))
LOWERED = bytes(range(256)).lower()  # ASCII capitals to small letters, every other byte kept
UNESCAPE_ROUNDS = 3  # entities and escapes within each other (JSON of HTML of JSON...)
FOLD_ERRORS = "deepseek-news-topic-fold"  # the codec error handler that folds a run of non-ASCII characters
FOLDED_RUNS_CACHED = 4096


@dataclass(frozen=True)
class Prefilter:
    """The terms' skeletons: ``ascii`` ones are looked for in a page's skeleton without its non-ASCII
    characters (none can be a letter of theirs); each of the ``others`` (a first character, a pattern)
    in the whole skeleton, any run of non-ASCII characters allowed between two of its characters."""

    ascii: tuple[bytes, ...]
    others: tuple[tuple[bytes, re.Pattern], ...]


def compile_prefilter(terms) -> Prefilter | None:
    """The pre-filter of ``compile_terms(terms)``, for ``may_be_on_topic``; None means no filter."""
    terms = [unicodedata.normalize("NFKC", term).strip() for term in terms if term.strip()]
    if not terms:
        return None
    # a term's letters and digits (without the combining marks NFKD splits off)
    skeletons = {"".join(filter(str.isalnum, _folded(term))) for term in terms}
    if "" in skeletons:  # a term of punctuation alone: no skeleton tells it apart
        return Prefilter((b"",), ())
    others = tuple(
        (term[0].encode(), re.compile(rb"[\x80-\xff]*".join(re.escape(char.encode()) for char in term)))
        for term in sorted(skeletons)
        if not term.isascii()
    )
    return Prefilter(tuple(sorted(term.encode() for term in skeletons if term.isascii())), others)


def may_be_on_topic(prefilter: Prefilter | None, body: bytes | str, content_type: str | None = None) -> bool:
    """False only when no extraction of the page (``body``, decoded as extraction decodes it) can be on
    topic by ``on_topic``: an exact necessary condition, never a guess, so a page it rejects need not be
    extracted. A page whose HTML names a term in any form passes, in its chrome or scripts too. The same
    answer as ``reference_may_be_on_topic``, sooner."""
    if prefilter is None:
        return True
    from core.charset import decode_body

    page = decode_body(body, content_type)
    seen = set()

    def names_a_term(reading: str) -> bool:  # each distinct reading folded and searched once
        if reading in seen:
            return False
        seen.add(reading)
        return _names_a_term(prefilter, _letters(reading))

    if names_a_term(page):
        return True
    unescaped = _unescape(page)
    if names_a_term(unescaped):
        return True
    without_tags = TAG_RE.sub("", page)
    if names_a_term(_unescape(without_tags)) or names_a_term(TAG_RE.sub("", unescaped)):
        return True
    plain = PLAIN_TAG_RE.sub("", page)  # equal to without_tags: unescaped, it is a reading read already
    return (plain != without_tags and names_a_term(_unescape(plain))) or names_a_term(PLAIN_TAG_RE.sub("", unescaped))


def reference_may_be_on_topic(prefilter: Prefilter | None, body: bytes | str, content_type: str | None = None) -> bool:
    """``may_be_on_topic`` as defined: each of the six readings unescaped, tag-stripped and folded whole."""
    if prefilter is None:
        return True
    from core.charset import decode_body

    page = decode_body(body, content_type)
    unescaped = _reference_unescape(page)
    readings = (
        lambda: page,
        lambda: unescaped,
        lambda: _reference_unescape(REFERENCE_TAG_RE.sub("", page)),
        lambda: REFERENCE_TAG_RE.sub("", unescaped),
        lambda: _reference_unescape(PLAIN_TAG_RE.sub("", page)),
        lambda: PLAIN_TAG_RE.sub("", unescaped),
    )
    seen = set()
    for reading in readings:
        text = reading()
        if text not in seen:
            seen.add(text)
            if _names_a_term(prefilter, _reference_letters(text)):
                return True
    return False


def _folded(text: str) -> str:
    """Case-folded and compatibility-decomposed (Unicode's compatibility caseless match), dotless i as i
    (re.IGNORECASE reads it so)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold()).replace("ı", "i")


def _reference_letters(text: str) -> bytes:
    """A reading's skeleton: its folded text in UTF-8 without ASCII characters other than letters and digits."""
    return _folded(text).encode("utf-8", "surrogatepass").translate(None, ASCII_NOT_ALNUM)


def _letters(text: str) -> bytes:
    """``_reference_letters(text)``, folding only the runs of non-ASCII characters (by the codec error
    handler): its ASCII characters fold to their small letters, each on its own."""
    try:
        return text.encode("ascii", FOLD_ERRORS).translate(LOWERED, ASCII_NOT_ALNUM)
    except _CapitalInFold:  # a run folds to an ASCII capital, which the whole-text fold keeps: none known
        return _reference_letters(text)


class _CapitalInFold(ValueError):
    pass


_folded_runs: dict[str, bytes] = {}


def _fold_run(error: UnicodeEncodeError) -> tuple[bytes, int]:
    run = error.object[error.start : error.end]
    folded = _folded_runs.get(run)
    if folded is None:
        folded = _folded(run).encode("utf-8", "surrogatepass")
        if folded.translate(LOWERED) != folded:
            raise _CapitalInFold(run)
        if len(_folded_runs) < FOLDED_RUNS_CACHED:
            _folded_runs[run] = folded
    return folded, error.end


codecs.register_error(FOLD_ERRORS, _fold_run)


def _names_a_term(prefilter: Prefilter, letters: bytes) -> bool:
    """Whether a reading's skeleton (``_letters``) holds a term's."""
    if prefilter.ascii:
        ascii_letters = letters if letters.isascii() else letters.translate(None, NON_ASCII_BYTES)
        if any(term in ascii_letters for term in prefilter.ascii):
            return True
    return any(pattern.search(letters) for first, pattern in prefilter.others if first in letters)


def _unescape(text: str, every_round: bool = False) -> str:
    """Entities and backslash escapes (JSON, JavaScript) decoded, again while it changes anything. A round
    that can change nothing is not run (unless ``every_round``, as the reference reads): html.unescape
    changes only a numeric reference or a name of html.entities.html5 after an ampersand
    (CHANGING_REFERENCE_RE finds every such place)."""
    for _ in range(UNESCAPE_ROUNDS):
        if not every_round and not ("\\" in text and ESCAPE_RE.search(text)) and not CHANGING_REFERENCE_RE.search(text):
            break
        decoded = ESCAPE_RE.sub(_escaped, text) if "\\" in text else text
        decoded = html.unescape(decoded)
        if decoded == text:
            break
        text = decoded
    return text


def _reference_unescape(text: str) -> str:
    return _unescape(text, every_round=True)


def _alternatives(words: list[str]) -> str:
    """A pattern matching each of ``words`` (and whatever starts with one), branching on one character
    at a time, so that the regex engine tries few of them at each place."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[:1], []).append(word[1:])
    branches = []
    for first, rests in sorted(groups.items()):
        if first == "":
            return ""  # a word ends here: whatever follows also starts with it
        branches.append(re.escape(first) + _alternatives(rests))
    return "(?:" + "|".join(branches) + ")"


# where html.unescape may change a text: at a numeric reference, or a name it replaces: a key of
# html.entities.html5 (with its semicolon if the key has one) or, without one, the start of a longer name
CHANGING_REFERENCE_RE = re.compile("&(?:#[0-9]|#[xX][0-9a-fA-F]|" + _alternatives(sorted(html.entities.html5)) + ")")


def _escaped(match: re.Match) -> str:
    code, byte, blank = match.groups()
    return ESCAPED_SPACE[blank] if blank else chr(int(code or byte, 16))
