"""Paragraphs our text lacks that two other extractors agree on.

Owns add_agreed_lines: our text plus the lines that both other extractors (readability-lxml and
trafilatura's recall mode, each reading the page as it came) kept and ours has not, each put
after the line of ours it follows on the page. A line only one of them keeps stays out: ours is
the precise reading, the two others are recall-oriented and disagree mostly about chrome.
Texts are compared by their words, lowercased, so spacing and punctuation do not matter.
Pure functions over strings.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"\w+")


def comparable(text: str) -> str:
    """The text's words, lowercased, one space apart."""
    return " ".join(WORD_RE.findall(text.lower()))


def add_agreed_lines(ours: str, first: str, second, stops_at=None) -> str:
    """ours with the lines of first that second holds too and ours does not, in first's order.

    second is the other text, or a function that reads it: called only when first has a line
    that ours lacks (reading it is the costly part, and most pages have no such line).

    A line of first found in ours marks where we are in ours; an agreed line missing from ours
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
    second_all = None  # second's words, read when first has a line ours lacks
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
        elif not stopped:
            if second_all is None:
                second_all = comparable(second() if callable(second) else second)
            if words in second_all:
                (after[position] if position >= 0 else before).append(line.strip())
    if not before and not any(after):
        return ours
    merged = before[:]
    for line, added in zip(ours_lines, after):
        merged.append(line)
        merged.extend(added)
    return "\n".join(merged)
