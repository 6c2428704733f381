"""Our text set against other extractors' reading of the same page.

Owns add_agreed_lines: our text plus the lines that both other extractors (readability-lxml and
trafilatura's recall mode, each reading the page as it came) kept and ours has not, each put
after the line of ours it follows on the page. A line only one of them keeps stays out: ours is
the precise reading, the two others are recall-oriented and disagree mostly about chrome.
add_prose_lines is the same with one other reading, for its lines that are sentences;
trim_unshared_tail cuts what ours has after the other reading's article ends.
Texts are compared by their words, lowercased, so spacing and punctuation do not matter.
Pure functions over strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD_RE = re.compile(r"\w+")
# how sentences end, in the scripts that mark it: Latin, Greek (";"), CJK (full and half width), Devanagari
# and Bengali (danda), Arabic and Urdu, Armenian, Ethiopic, Myanmar; then closing quotes and brackets, the
# German ones too („so“, ‚so‘, »so«, ›so‹)
SENTENCE_END = tuple(".!?\"'”’»)…:;。！？｡．।॥؟۔։።။」』“‘«‹›")


def comparable(text: str) -> str:
    """The text's words, lowercased, one space apart."""
    return " ".join(WORD_RE.findall(text.lower()))


def add_agreed_lines(
    ours: str, first: str, second, stops_at=None, set_aside: frozenset[str] | set[str] = frozenset()
) -> str:
    """ours with the lines of first that second holds too and ours does not, in first's order, but
    for the lines whose words are in set_aside.

    second is the other text, or a function that reads it: called only when first has a line
    that ours lacks (reading it is the costly part, and most pages have no such line).
    Where the lines go and stops_at: see add_lines.
    """
    second_all = None  # second's words, read when first has a line ours lacks

    def agreed(line: str, words: str) -> bool:
        nonlocal second_all
        if words in set_aside:
            return False
        if second_all is None:
            second_all = comparable(second() if callable(second) else second)
        return words in second_all

    return add_lines(ours, first, agreed, stops_at)


def is_prose_line(line: str, min_chars: int) -> bool:
    """A sentence, not a label: at least min_chars long and ending as sentences end."""
    return len(line) >= min_chars and line.endswith(SENTENCE_END)


def add_prose_lines(
    ours: str, other: str, min_chars: int, stops_at=None, set_aside: frozenset[str] | set[str] = frozenset()
) -> str:
    """ours with the lines of other that are prose (is_prose_line) and missing from ours, but for
    the lines whose words are in set_aside (what the page holds in captions)."""
    return add_lines(
        ours, other, lambda line, words: is_prose_line(line, min_chars) and words not in set_aside, stops_at
    )


def add_lines(ours: str, first: str, wanted: Callable[[str, str], bool], stops_at=None) -> str:
    """ours with the lines of first it lacks for which wanted(line, its words) holds, in first's order.

    A line of first found in ours marks where we are in ours; a wanted line missing from ours
    goes after the last line of ours so marked (before the first line of ours when none is yet).
    stops_at(line), when given, marks a line of first after which nothing is added until first
    is back in ours (a "Comments" or "Related articles" heading: what follows is not the article).
    ours comes back unchanged when nothing is added.
    """
    if not first.strip():
        return ours
    ours_all = comparable(ours)
    ours_lines = [line for line in ours.split("\n") if line.strip()]
    ours_words = [comparable(line) for line in ours_lines]
    after: list[list[str]] = [[] for _ in ours_lines]
    before: list[str] = []
    position = -1  # the line of ours last matched
    stopped = False
    for line in first.split("\n"):
        words = comparable(line)
        if not words:
            continue
        if words in ours_all:
            stopped = False
            for index in range(max(position, 0), len(ours_words)):
                if ours_words[index] and (words in ours_words[index] or ours_words[index] in words):
                    position = index
                    break
            continue
        if stops_at is not None and stops_at(line.strip()):
            stopped = True
        elif not stopped and wanted(line.strip(), words):
            (after[position] if position >= 0 else before).append(line.strip())
    if not before and not any(after):
        return ours
    merged = before[:]
    for line, added in zip(ours_lines, after):
        merged.append(line)
        merged.extend(added)
    return "\n".join(merged)


def trim_unshared_tail(ours: str, other: str, min_share: float) -> str:
    """ours without its lines after the last one other holds too, when the lines both hold make up
    at least min_share of other's length: the other reading found the same article and ended
    there, and what ours has beyond it is what that reading left out (teaser lists, comments,
    a poll). ours comes back unchanged when the two share too little to say where it ends."""
    theirs = comparable(other)
    if not theirs:
        return ours
    lines = [line for line in ours.split("\n") if line.strip()]
    shared = [bool(words) and words in theirs for words in map(comparable, lines)]
    if True not in shared:
        return ours
    last = len(shared) - 1 - shared[::-1].index(True)
    if last == len(lines) - 1 or sum(len(line) for line, held in zip(lines, shared) if held) < min_share * len(other):
        return ours
    return "\n".join(lines[: last + 1])
