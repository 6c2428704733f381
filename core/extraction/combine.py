"""Paragraphs of a page, and a vote over them: which are article text, decided by a small model.

Owns text_segments (the page cut into paragraphs at block elements and <br>s, loose text kept),
the features of a paragraph (which extractors kept it, link density, position, length, tag,
where it sits: article/main, comment, chrome or content vocabulary, the page's main container;
the same for its neighbours) and the model that weighs them: a logistic regression whose
weights are data (combine_model.json, written by tests/benchmarks/train_extract.py --write).
The vote is off by default (ExtractOptions.combine): judged leave-one-source-out it did not beat
our own path; train_extract.py reports it. Pure functions over lxml trees and strings.
"""

from __future__ import annotations

import json
import math
import re
from copy import deepcopy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from core.extraction.consensus import SENTENCE_END
from core.vendor.readability import Document

MODEL_PATH = Path(__file__).with_name("combine_model.json")
WORD_RE = re.compile(r"\w+")
CHROME_TAGS = frozenset({"header", "footer", "nav", "aside", "form", "menu"})
ARTICLE_TAGS = frozenset({"article", "main"})
COMMENT_RE = re.compile(r"comment|kommentar|respond|reply|replies|disqus|discussion|binhluan|pinglun")
MAX_DEPTH = 12
TAG_GROUPS = {
    "p": "p",
    "li": "li",
    "dd": "li",
    "dt": "li",
    "td": "td",
    "th": "td",
    "div": "div",
    "section": "div",
    "article": "div",
    "center": "div",
    "blockquote": "quote",
    "pre": "quote",
    "h1": "h1",
    "h2": "h",
    "h3": "h",
    "h4": "h",
    "h5": "h",
    "h6": "h",
}
TAG_FEATURES = ("p", "li", "td", "div", "quote", "h1", "h")


def word_tokens(text: str) -> list[str]:
    return WORD_RE.findall(text.casefold())


class Coverage:
    """How much of a block's text an extractor's output holds (0..1), by word trigrams; blocks of
    fewer than three words by whole-sequence containment."""

    def __init__(self, text: str):
        tokens = word_tokens(text)
        self.trigrams = set(zip(tokens, tokens[1:], tokens[2:]))
        self.joined = " " + " ".join(tokens) + " "

    def of(self, tokens: list[str]) -> float:
        if not tokens:
            return 0.0
        if len(tokens) < 3:
            return 1.0 if " " + " ".join(tokens) + " " in self.joined else 0.0
        grams = list(zip(tokens, tokens[1:], tokens[2:]))
        return sum(1 for g in grams if g in self.trigrams) / len(grams)


@lru_cache(maxsize=8192)
def _attr_kind(raw: str) -> str | None:
    from core.extraction.prune import _vocabulary_kind  # the chrome and content vocabulary

    lowered = raw.lower()
    if COMMENT_RE.search(lowered):
        return "comment"
    return _vocabulary_kind(raw)


SEGMENT_BREAKS = frozenset({"br", "hr"})


def text_segments(tree: HtmlElement, block_tags: frozenset[str]) -> list[tuple[HtmlElement, str, int]]:
    """The page's body cut into paragraphs the way a reader sees them: every block element and
    every <br> ends one. Each comes with its owner (the innermost block element around it), its
    whitespace-collapsed text and how many of its characters are link text. Unlike leaf blocks,
    text between <br>s and loose text beside child blocks is kept."""
    body = tree.find("body")
    root = body if body is not None else tree
    segments: list[tuple[HtmlElement, str, int]] = []
    stack = [root]
    pieces: list[str] = []
    linked = [0]
    link_depth = 0

    def flush(owner):
        if pieces:
            raw = "".join(pieces)
            text = " ".join(raw.split())
            if text:
                segments.append((owner, text, min(linked[0], len(text))))
            pieces.clear()
        linked[0] = 0

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            if event == "end" and element.tail:
                pieces.append(element.tail)
                if link_depth:
                    linked[0] += len(element.tail.strip())
            continue
        if event == "start":
            if tag in block_tags or tag in SEGMENT_BREAKS:
                flush(stack[-1])
            if tag in block_tags:
                stack.append(element)
            if tag == "a":
                link_depth += 1
            if element.text:
                pieces.append(element.text)
                if link_depth:
                    linked[0] += len(element.text.strip())
        else:
            if tag in block_tags:
                flush(element)
                if len(stack) > 1:
                    stack.pop()
            if tag == "a":
                link_depth -= 1
            if element.tail and element is not root:
                pieces.append(element.tail)
                if link_depth:
                    linked[0] += len(element.tail.strip())
    flush(stack[-1])
    return segments


def dom_features(element: HtmlElement, text: str, linked: int, index: int, count: int, container_path: set) -> dict:
    """What the markup says about one paragraph (its owner element), before any pruning."""
    tokens = word_tokens(text)
    chars = len(text)
    group = TAG_GROUPS.get(element.tag, "")
    features = {
        "len_log": math.log1p(chars),
        "words_log": math.log1p(len(tokens)),
        "link_density": min(1.0, linked / chars) if chars else 0.0,
        "pos": index / max(1, count - 1),
        "sentence_end": 1.0 if text.endswith(SENTENCE_END) else 0.0,
        "commas": min(1.0, (text.count(",") + text.count(".")) / max(1, len(tokens)) * 4),
        "short": 1.0 if len(tokens) < 6 else 0.0,
    }
    for tag in TAG_FEATURES:
        features["tag_" + tag] = 1.0 if group == tag else 0.0
    in_article = in_chrome_tag = chrome = content = comment = caption = in_container = 0.0
    node, depth = element, 0
    while node is not None and depth < MAX_DEPTH:
        tag = node.tag
        if node in container_path:
            in_container = 1.0
        if tag in ARTICLE_TAGS or node.get("itemprop") == "articleBody":
            in_article = 1.0
        elif tag in CHROME_TAGS:
            in_chrome_tag = 1.0
        elif tag == "figcaption" or tag == "figure":
            caption = 1.0
        raw = (node.get("class") or "") + " " + (node.get("id") or "")
        if raw.strip():
            kind = _attr_kind(raw)
            if kind == "content":
                content = 1.0
            elif kind == "comment" and not content:
                comment = 1.0
            elif kind == "chrome" and not content:
                chrome = 1.0
            elif kind == "caption":
                caption = 1.0
        node = node.getparent()
        depth += 1
    features.update(
        in_article=in_article,
        in_chrome_tag=in_chrome_tag,
        chrome_vocab=chrome,
        content_vocab=content,
        comment_vocab=comment,
        caption=caption,
        in_container=in_container,
    )
    return features


def container_path(container: HtmlElement | None) -> set:
    """The main container's subtree membership test: the container and its descendants."""
    return set(container.iter()) if container is not None else set()


def coverage_features(
    dom_rows: list[dict], blocks: list[tuple[HtmlElement, str]], outputs: dict[str, str], pruned: list[bool]
) -> tuple[list[str], list[list[float]]]:
    """Feature names and one row per block: its DOM features, each extractor's coverage of it, and
    the mean coverage of the two blocks on either side (articles are runs of kept blocks)."""
    coverages = {name: Coverage(text) for name, text in outputs.items()}
    rows_dicts = []
    for (_element, text), dom, was_pruned in zip(blocks, dom_rows, pruned):
        features = dict(dom)
        tokens = word_tokens(text)
        for name, coverage in coverages.items():
            features["cov_" + name] = coverage.of(tokens)
        features["pruned"] = 1.0 if was_pruned else 0.0
        rows_dicts.append(features)
    for index, features in enumerate(rows_dicts):
        window = rows_dicts[max(0, index - 2) : index] + rows_dicts[index + 1 : index + 3]
        for name in outputs:
            key = "cov_" + name
            features["near_" + name] = sum(f[key] for f in window) / len(window) if window else 0.0
        features["near_link_density"] = sum(f["link_density"] for f in window) / len(window) if window else 0.0
    names = sorted(rows_dicts[0]) if rows_dicts else []
    return with_derived(names, [[f[n] for n in names] for f in rows_dicts])


def with_derived(names: list[str], rows: list[list[float]]) -> tuple[list[str], list[list[float]]]:
    """Features made of others, for a linear model to see agreement: how many of the other
    extractors hold the paragraph, and our own vote inside and outside the main container."""
    if "votes" in names or not names:
        return names, rows
    others = [i for i, n in enumerate(names) if n.startswith("cov_") and n != "cov_ours"]
    ours, inside, pruned = names.index("cov_ours"), names.index("in_container"), names.index("pruned")
    link = names.index("link_density")
    out = []
    for row in rows:
        votes = sum(1.0 for i in others if row[i] >= 0.5)
        share = votes / len(others) if others else 0.0
        out.append(
            row
            + [
                share,
                row[ours] * row[inside],
                share * row[inside],
                share * row[pruned],
                share * row[link],
                row[ours] * share,
            ]
        )
    return names + [
        "votes",
        "ours_x_container",
        "votes_x_container",
        "votes_x_pruned",
        "votes_x_links",
        "ours_x_votes",
    ], out


# --- the other extractors, run on the parsed page before pruning -----------------------------------


def readability_output(tree: HtmlElement, html: str, url: str | None, meta) -> str:
    summary = Document(deepcopy(tree), url=url).summary(html_partial=True)
    parsed = lxml.html.fromstring(summary) if summary.strip() else None
    return parsed.text_content() if parsed is not None else ""


def trafilatura_output(tree: HtmlElement, url: str | None, **mode) -> str:
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
        **mode,
    )
    return (document.text or "") if document is not None else ""


JUSTEXT_STOPLISTS = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "ru": "Russian",
    "cs": "Czech",
    "vi": "Vietnamese",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "hu": "Hungarian",
    "tr": "Turkish",
}


def justext_output(tree: HtmlElement, html: str, url: str | None, meta) -> str:
    import justext

    stoplist = justext.get_stoplist(JUSTEXT_STOPLISTS.get((meta.language or "en")[:2], "English"))
    paragraphs = justext.justext(html.encode("utf-8", "replace"), stoplist, encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_chrome)


OTHER_EXTRACTORS = {
    "readability": readability_output,
    "precision": lambda tree, html, url, meta: trafilatura_output(tree, url, favor_precision=True),
    "recall": lambda tree, html, url, meta: trafilatura_output(tree, url, favor_recall=True),
    "justext": justext_output,
}


@dataclass
class Vote:
    """One page's blocks, their features and each extractor's text, waiting for the paragraph vote."""

    blocks: list[tuple[HtmlElement, str]]
    dom_rows: list[dict]
    outputs: dict[str, str]


def start_vote(
    tree: HtmlElement,
    html: str,
    blocks: list[tuple[HtmlElement, str]],
    url: str | None,
    meta,
    extractors: tuple[str, ...],
    collect: dict | None = None,
) -> Vote:
    """Before pruning: the blocks' DOM features and the other extractors' text of the page
    (collect["outputs"], when given, stands in for them: the training script's cached runs)."""
    from core.extraction.prune import BLOCK_TAGS, main_container

    inside = container_path(main_container(tree))
    segments = text_segments(tree, frozenset(BLOCK_TAGS))
    dom_rows = [
        dom_features(element, text, linked, index, len(segments), inside)
        for index, (element, text, linked) in enumerate(segments)
    ]
    blocks = [(element, text) for element, text, _linked in segments]
    outputs = {}
    given = (collect or {}).get("outputs")
    for name in extractors:
        if name == "ours":
            continue
        if given is not None:
            outputs[name] = given.get(name, "")
            continue
        try:
            outputs[name] = OTHER_EXTRACTORS[name](tree, html, url, meta) or ""
        except Exception:  # one extractor failing on an odd page only costs its vote
            outputs[name] = ""
    return Vote(blocks, dom_rows, outputs)


def _attached(element: HtmlElement, root: HtmlElement) -> bool:
    while element is not None:
        if element is root:
            return True
        element = element.getparent()
    return False


def finish_vote(vote: Vote, tree: HtmlElement, ours: str, model: BlockModel, collect: dict | None = None) -> str:
    """After pruning and our extraction: the text of the blocks the model keeps, one a line."""
    pruned = [not _attached(element, tree) for element, _text in vote.blocks]
    names, rows = coverage_features(vote.dom_rows, vote.blocks, {**vote.outputs, "ours": ours}, pruned)
    if collect is not None:
        collect.update(names=names, rows=rows, texts=[text for _e, text in vote.blocks], ours=ours)
    keep = model.keep(names, rows)
    return "\n".join(text for (_element, text), kept in zip(vote.blocks, keep) if kept)


class BlockModel:
    """Logistic regression over named features: keep a block when its score passes threshold."""

    def __init__(
        self,
        features: list[str],
        weights: list[float],
        bias: float,
        mean: list[float],
        scale: list[float],
        threshold: float = 0.5,
        extractors: tuple[str, ...] = (),
        version: str = "",
    ):
        self.features, self.weights, self.bias = features, weights, bias
        self.mean, self.scale, self.threshold = mean, scale, threshold
        self.extractors, self.version = tuple(extractors), version

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> BlockModel:
        data = json.loads(path.read_text("utf-8"))
        return cls(
            data["features"],
            data["weights"],
            data["bias"],
            data["mean"],
            data["scale"],
            data.get("threshold", 0.5),
            tuple(data.get("extractors", ())),
            data.get("version", ""),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "extractors": list(self.extractors),
                "features": self.features,
                "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6),
                "mean": [round(m, 6) for m in self.mean],
                "scale": [round(s, 6) for s in self.scale],
                "threshold": self.threshold,
            },
            indent=1,
        )

    def scores(self, names: list[str], rows: list[list[float]]) -> list[float]:
        index = {name: i for i, name in enumerate(names)}
        columns = [index[name] for name in self.features]
        out = []
        for row in rows:
            z = self.bias
            for w, m, s, c in zip(self.weights, self.mean, self.scale, columns):
                z += w * (row[c] - m) / s
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out

    def keep(self, names: list[str], rows: list[list[float]]) -> list[bool]:
        return [score >= self.threshold for score in self.scores(names, rows)]


@lru_cache(maxsize=1)
def default_model() -> BlockModel | None:
    """The shipped model, None when its file is missing (extraction then keeps its main path)."""
    try:
        return BlockModel.load()
    except (OSError, ValueError, KeyError):
        return None
