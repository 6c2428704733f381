"""extract_page: one fetched page in, its article prose and metadata out.

Owns the order of the steps (decode -> parse -> metadata -> block hashes -> prune ->
trafilatura -> readability-lxml as a second opinion on the unpruned page: its text instead of
ours when ours is far shorter, lines it and trafilatura's recall mode agree on, ours cut where its
article ends and its sentences ours lost -> fallback -> line clean-up -> page kind, with
readability's text again for a page judged too short -> language) and ExtractOptions.
Module-level and pure: arguments and result are plain picklable values, so the crawler runs
it in worker processes. It never raises: a broken page comes back with text None and the
error in `reason`.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, replace
from functools import partial

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from core.chrome import normalize_block
from core.extraction import combine
from core.extraction.authors import byline_author
from core.extraction.chunks import add_missing_chunks
from core.extraction.cleanup import clean_text, is_section_heading
from core.extraction.consensus import add_agreed_lines, add_prose_lines, comparable, trim_unshared_tail
from core.extraction.decode import decode_body, parse_html, parse_page, parse_page_plainly
from core.extraction.language import page_language
from core.extraction.metadata import Metadata, read_metadata, safe_urlsplit
from core.extraction.pagekind import classify_page
from core.extraction.prune import (
    BLOCK_TAGS,
    block_hashes,
    caption_blocks,
    leaf_blocks,
    page_block_hashes,
    prune_chrome,
    strip_scripts,
    teaser_texts,
    text_of,
)
from core.markup import bound_attributes
from core.vendor.readability import Document

RESULT_KEYS = (
    "url",
    "canonical_url",
    "title",
    "text",
    "author",
    "published",
    "language",
    "site_name",
    "description",
    "source",
    "is_article",
    "reason",
    "block_hashes",
)


@dataclass(frozen=True)
class ExtractOptions:
    """Knobs of extract_page; the defaults are what the crawler stores."""

    keep_captions: bool = False  # photo captions and credits stay out of text by default
    favor_precision: bool = True  # trafilatura's precision mode (best on the dev set; on the wide sets no better)
    structural_pruning: bool = True  # link-dense blocks and repeated teasers out before extraction
    use_fallback: bool = True  # second extractor when trafilatura finds nothing
    use_htmldate: bool = True  # htmldate as the last resort for the published date
    min_article_chars: int = 150  # shorter texts are articles only with article markup
    combine: bool = False  # blocks decided by the learned vote (combine.py; off: it did not generalise)
    # a page whose text is short but passes every other page-kind test keeps it; off: in a crawl, once the
    # site's chrome is learned, a category page's one teaser under its <h1> passed it (stored or not by order)
    keep_short: bool = False
    agree: bool = True  # with little text, add the paragraphs two other extractors agree on (consensus.py)
    # readability-lxml reads every page: ours ends where its article ends, and gains its sentences ours lacks
    second_opinion: bool = True


DEFAULT_OPTIONS = ExtractOptions()


# C0 control characters (tab, newline and carriage return aside) and NUL: lxml will not set them as text
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def empty_result(url: str | None) -> dict:
    result = dict.fromkeys(RESULT_KEYS)
    result.update(url=url, is_article=False, block_hashes=[])
    return result


def run_trafilatura(tree: HtmlElement, url: str | None, options: ExtractOptions, favor_recall: bool = False) -> str:
    return combine.trafilatura_output(tree, url, favor_precision=options.favor_precision, favor_recall=favor_recall)


def readability_text(page: str, parsed: HtmlElement | None = None) -> str:
    """Main text by readability-lxml, a paragraph a line (text between <br>s too), without the lines
    that are all link text (a menu, share buttons, a "read more": never prose); "" when it fails.
    ``parsed``: a copy of page's tree (strip_scripts may have run on it) for readability to take,
    and edit, instead of parsing page again, given only when parse_page_plainly(page) found it plain
    (readability_tree makes it). Control characters XML forbids are read as spaces: readability edits
    the tree through lxml, which refuses to write them back, and gave up on the whole page."""
    if XML_FORBIDDEN.search(page):
        page, parsed = XML_FORBIDDEN.sub(" ", page), None
    try:
        if parsed is not None:  # page itself is what bound_attributes would make of it: it is plain
            document = Document(page, parsed=parsed)
        else:
            document = Document(bound_attributes(page))
        summary = document.summary(html_partial=True)
    except Exception:
        return ""
    summary_tree = parse_html(f"<html><body>{summary}</body></html>")
    if summary_tree is None:
        return ""
    segments = combine.text_segments(summary_tree, frozenset(BLOCK_TAGS))
    return "\n".join(text for _owner, text, linked in segments if linked < len(text.replace(" ", "")))


def readability_tree(tree: HtmlElement | None, plain: bool) -> HtmlElement | None:
    """A copy of the page's tree for readability_text, when it is the tree readability-lxml would
    parse (parse_page_plainly): copying costs less than parsing. Taken before anything changes the
    tree but strip_scripts: readability drops scripts, styles and comments itself, tails kept."""
    return deepcopy(tree) if plain and tree is not None else None


def recall_text(html: str, url: str | None) -> str:
    """trafilatura's recall mode on the page as it came (a fresh tree: ours is pruned by now)."""
    tree = parse_page(html)
    if tree is None:
        return ""
    return run_trafilatura(tree, url, ExtractOptions(favor_precision=False), favor_recall=True)


def run_fallback(pruned: HtmlElement, html: str, url: str | None, options: ExtractOptions) -> str:
    """Text of the page when trafilatura finds nothing in the pruned tree.

    In order, the first that yields text: readability-lxml on the pruned page (it beat
    trafilatura's baseline() in tests/benchmarks/bench_extract.py), then trafilatura and
    readability on the unpruned page (in case pruning took the article), then baseline().
    """
    text = readability_text(lxml.html.tostring(pruned, encoding="unicode"))
    if text.strip():
        return text
    raw = parse_html(html)
    if raw is None:
        return ""
    text = run_trafilatura(raw, url, options) or readability_text(html)
    if text.strip():
        return text
    try:
        return trafilatura.baseline(raw)[1] or ""
    except Exception:
        return ""


SHORT_TEXT_MIN_CHARS = 40  # a short post keeps its text from a sentence on (ExtractOptions.keep_short)
RESCUED_REASONS = ("no article text", "text too short")  # rejections the fallback may overturn
SECOND_OPINION_BELOW = 1000  # ask readability-lxml only when we found less text (the gains are there)
READABILITY_SHARE = 0.5  # our text shorter than this share of readability-lxml's: take readability's
SECOND_OPINION_MIN_CHARS = 300  # another extractor's text, cleaned, must be this long to be taken
# (less is a cookie banner, a teaser and a newsletter box)
TAIL_SHARED_MIN = 0.5  # ours ends where readability's text ends when they share this share of its length
PROSE_LINE_MIN_CHARS = 60  # a line of readability's ours lacks comes in when a sentence this long
SCHEMA_BODY_MIN_CHARS = 400  # JSON-LD articleBody replaces extracted text only when it is long
SCHEMA_BODY_RATIO = 0.3  # and the extracted text is less than this share of it


def short_post_text(text: str, html: str) -> bool:
    """Is this short text a post's own: at least SHORT_TEXT_MIN_CHARS outside the page's link texts
    ("Merkliste aktualisieren · Alles zu DeepSeek" is links), and inside the block that holds the page's
    <h1> (not the body itself): a newsletter blurb left beside a category page's heading is not."""
    tree = parse_page(html)
    if tree is None:
        return False
    strip_scripts(tree)
    rest = normalize_block(text)
    for link in sorted({normalize_block(a.text_content()) for a in tree.iter("a")} - {""}, key=len, reverse=True):
        rest = rest.replace(link, " ")
    if len("".join(rest.split())) < SHORT_TEXT_MIN_CHARS:
        return False
    heading = next(tree.iter("h1"), None)
    post = heading.getparent() if heading is not None else None
    if post is None or post.tag in ("body", "html"):
        return False
    held = comparable(text_of(post))
    return all(comparable(line) in held for line in text.split("\n") if line.strip())


def schema_body_text(body: str) -> str:
    """JSON-LD articleBody as lines of text (it may carry HTML markup)."""
    if "<" not in body:
        return body
    parsed = parse_html(f"<html><body>{body}</body></html>")
    if parsed is None:
        return body
    blocks = [text for _element, text in leaf_blocks(parsed)]
    return "\n".join(blocks) or text_of(parsed)


def internal_link_test(page_url: str | None):
    """href -> does it stay on the page's site (relative, or the same host but for www.)."""
    parts = safe_urlsplit(page_url)
    host = (parts.hostname or "").removeprefix("www.") if parts is not None else ""

    def is_internal(href: str) -> bool:
        target = safe_urlsplit(href.strip())
        if target is None:
            return True
        if not target.netloc:
            return not target.scheme or target.scheme in ("http", "https")
        return bool(host) and (target.hostname or "").removeprefix("www.") == host

    return is_internal


def page_link_texts(tree: HtmlElement, is_internal=None) -> set[str]:
    """Normalised texts of the page's links to its own site long enough to be teaser titles
    (after pruning: links inside removed chrome no longer matter)."""
    texts = set()
    for anchor in tree.iter("a"):
        text = normalize_block(anchor.text_content())
        if len(text) >= 25 and (is_internal is None or is_internal(anchor.get("href") or "")):
            texts.add(text)
    return texts


def page_teaser_texts(tree: HtmlElement, page_url: str | None = None) -> set[str]:
    is_internal = internal_link_test(page_url)
    return page_link_texts(tree, is_internal) | teaser_texts(tree, is_internal)


def unpruned_teaser_texts(html: str, page_url: str | None) -> set[str]:
    tree = parse_page(html)
    if tree is None:
        return set()
    strip_scripts(tree)
    return page_teaser_texts(tree, page_url)


def best_effort(step, default, *args):
    """A heuristic that fails on an odd page must not cost the page its text."""
    try:
        return step(*args)
    except Exception:
        return default


class StepTimer:
    """Seconds extract_page spends in each step, for the benchmark; costs one test per step when off."""

    def __init__(self):
        self.parts: dict[str, float] | None = None
        self.active = False

    @contextmanager
    def __call__(self, parts: dict[str, float]):
        self.parts, self.active = parts, True
        try:
            yield parts
        finally:
            self.parts, self.active = None, False

    def pause(self) -> None:
        self.active = False

    def resume(self) -> None:
        self.active = self.parts is not None

    def run(self, name: str, step, *args, **kwargs):
        if not self.active:
            return step(*args, **kwargs)
        start = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - start


step_timer = StepTimer()


def extract_page(
    body: bytes | str,
    url: str | None = None,
    *,
    content_type: str | None = None,
    site_chrome: frozenset[str] = frozenset(),
    options: ExtractOptions | None = None,
) -> dict:
    """Article prose and metadata of one page; see DEVELOPERS-CONTRACT.md for the keys."""
    result = empty_result(url)
    try:
        _extract_into(result, body, url, content_type, frozenset(site_chrome or ()), options or DEFAULT_OPTIONS)
    except Exception as error:  # a bad page must never stop the crawl
        result.update(text=None, is_article=False, reason=f"error: {type(error).__name__}: {error}"[:200])
    return result


def _extract_into(result: dict, body, url, content_type, site_chrome, options, collect: dict | None = None) -> None:
    run = step_timer.run
    html = run("decode", decode_body, body, content_type)
    tree, plain = run("parse", parse_page_plainly, html)
    if tree is None:
        result["reason"] = "empty or unparseable page"
        return
    meta: Metadata = run("metadata", read_metadata, tree, url, use_htmldate=options.use_htmldate)
    result.update(
        title=meta.title,
        author=meta.author,
        published=meta.published,
        site_name=meta.site_name,
        canonical_url=meta.canonical_url,
        description=meta.description,
        language=meta.language,
    )
    page_url = url if safe_urlsplit(url) is not None else meta.canonical_url
    strip_scripts(tree)
    # readability-lxml reads the page as it came: from a copy of the tree when it may (used once),
    # taken before pruning and after the scripts and styles are out (it drops them itself)
    readable = run("readability", readability_tree, tree, plain and (options.use_fallback or options.second_opinion))
    blocks = run("blocks", leaf_blocks, tree)
    hashes = block_hashes(blocks)
    result["block_hashes"] = page_block_hashes(hashes)
    # the blocks' hashes (None: not computed, or too short to mean anything) serve clean_text
    # for the lines that are a block's text as it is
    known = {text: key for (_element, text), key in zip(blocks, hashes) if key} if site_chrome else None

    model = combine.default_model() if options.combine else None
    if collect is not None and "model" in collect:  # the training script's stand-in
        model = collect["model"]
    vote = None
    if model is not None and blocks:
        vote = run(
            "vote: other extractors", combine.start_vote, tree, html, blocks, page_url, meta, model.extractors, collect
        )
    captions = frozenset()  # the words of the page's captions, never taken from readability's text
    if options.second_opinion:
        captions = frozenset(map(comparable, run("captions", caption_blocks, blocks)))
    # the words of the blocks pruning judged chrome by their words, and of those in widgets: never
    # read back from another extractor's reading of the page (widgets: only when that reading merely
    # completes ours, as they are judged by the container ours found)
    chrome_words, widget_words = run(
        "prune",
        prune_chrome,
        tree,
        site_chrome=site_chrome,
        keep_captions=options.keep_captions,
        structural=options.structural_pruning,
        blocks=blocks,
        hashes=hashes,
    )
    chrome_words = frozenset(map(comparable, chrome_words))
    widget_words = frozenset(map(comparable, widget_words))
    raw_text = run("trafilatura", run_trafilatura, tree, page_url, options)
    if raw_text.strip():
        raw_text = best_effort(add_missing_chunks, raw_text, tree, raw_text)
    if (
        options.use_fallback
        and meta.schema_body
        and len(meta.schema_body) >= SCHEMA_BODY_MIN_CHARS
        and len(raw_text) < SCHEMA_BODY_RATIO * len(meta.schema_body)
    ):
        raw_text = schema_body_text(meta.schema_body)  # pages rendered by scripts: the body is in JSON-LD
    if vote is not None:
        voted = run("vote: model", combine.finish_vote, vote, tree, raw_text, model, collect)
        if voted.strip():
            raw_text = voted
    clean = partial(
        clean_text,
        title=meta.title,
        author=meta.author,
        site_name=meta.site_name,
        site_chrome=site_chrome,
        keep_captions=options.keep_captions,
        known_hashes=known,
    )
    second = third = None  # readability-lxml's and trafilatura recall's texts, once read
    switched = False  # the text is (partly) read from the unpruned page: judged against its teasers
    merged = False  # ours with lines the other two extractors agree on
    found = len(raw_text.strip())
    if options.use_fallback and found < SECOND_OPINION_BELOW:
        # little text: readability-lxml reads the page as it came, and when it finds far more,
        # pruning or trafilatura lost the article (or kept only a part of it); otherwise the lines
        # it and trafilatura's recall mode agree on are added
        second = run("readability", readability_text, html, readable)
        if found < READABILITY_SHARE * len(second) and len(second) >= SECOND_OPINION_MIN_CHARS:
            ours_raw, raw_text, switched = raw_text, second, True
        elif options.agree and raw_text.strip() and second.strip():
            # the paragraphs readability-lxml and trafilatura's recall mode both read, and we lost
            def cleaned_recall() -> str:
                nonlocal third
                third = run("trafilatura recall", recall_text, html, page_url)
                return run("clean-up", clean, third).text

            # a line of readability's after a chrome heading (comments, related links) is not added;
            # trafilatura's is cleaned first, so that chrome lines are never agreed on
            agreed = add_agreed_lines(
                raw_text, second, cleaned_recall, stops_at=is_section_heading, set_aside=chrome_words
            )
            if agreed != raw_text:
                raw_text, switched, merged = agreed, True, True
    if not raw_text.strip() and options.use_fallback:
        raw_text = run("fallback", run_fallback, tree, html, page_url, options)
    cleaned = run("clean-up", clean, raw_text)
    if switched and not merged and len(cleaned.text) < SECOND_OPINION_MIN_CHARS:  # what it found more of was chrome
        raw_text, switched = ours_raw, False
        cleaned = run("clean-up", clean, raw_text)
    if options.second_opinion and len(cleaned.text) >= options.min_article_chars and not (switched and not merged):
        # readability-lxml's reading of the page as it came, cleaned like ours: where it ends the
        # article, ours stops too; its sentences that ours lost come in (the attribution lines
        # were read from ours before). They complete an article, never make one: on a category
        # page a teaser and a newsletter blurb would pass for a short article
        if second is None:
            second = run("readability", readability_text, html, readable)
        theirs = run("clean-up", clean, second).text if second.strip() else ""
        if theirs:
            trimmed = trim_unshared_tail(cleaned.text, theirs, TAIL_SHARED_MIN)
            if len(trimmed) < options.min_article_chars:  # a short post is not cut below an article's length
                trimmed = cleaned.text
            text = add_prose_lines(
                trimmed,
                theirs,
                PROSE_LINE_MIN_CHARS,
                stops_at=is_section_heading,
                set_aside=captions | chrome_words | widget_words,
            )
            switched = switched or text != trimmed  # lines read from the page as it came
            if text != cleaned.text:
                cleaned = replace(cleaned, text="\n\n".join(line for line in text.split("\n") if line.strip()))
    judge = partial(
        classify_page,
        meta,
        page_url,
        teaser_texts=lambda: best_effort(page_teaser_texts, set(), tree, page_url),
        min_chars=options.min_article_chars,
    )
    # text another extractor read from the page as it came is judged against the teasers of that
    # page: pruning took the link lists out of ours, and a listing read whole must still be one
    judge_unpruned = partial(
        classify_page,
        meta,
        page_url,
        min_chars=options.min_article_chars,
        teaser_texts=lambda: best_effort(unpruned_teaser_texts, set(), html, page_url),
    )
    is_article, reason = run("page kind", judge_unpruned if switched else judge, cleaned.text)
    if not is_article and options.use_fallback and reason in RESCUED_REASONS:
        # our path found too little: the page may still hold an article that pruning or
        # trafilatura's precision mode lost; read the page as it came, readability-lxml first
        rereads = (
            ("readability-lxml", lambda: readability_text(html, readable) if second is None else second),
            ("trafilatura recall", lambda: recall_text(html, page_url) if third is None else third),
        )
        for name, reread in rereads:
            rescued = clean(run("fallback", reread))
            if len(rescued.text) > max(len(cleaned.text), SECOND_OPINION_MIN_CHARS):
                rescued_kind = judge_unpruned(rescued.text)
                if rescued_kind[0]:
                    cleaned, (is_article, reason) = rescued, (True, f"{rescued_kind[1]}, read by {name}")
                    break
    if (
        not is_article
        and reason == "text too short"
        and options.keep_short
        and len(cleaned.text) >= SHORT_TEXT_MIN_CHARS
        and best_effort(short_post_text, False, cleaned.text, html)
    ):
        # nothing longer anywhere on the page, and no sign it is a listing, error or service page:
        # a short post (a photo, a brief) keeps its few lines rather than coming back empty
        is_article, reason = True, "short text"
    result["source"] = cleaned.source or meta.source_link
    result["author"] = result["author"] or byline_author(cleaned.byline, meta.site_name)
    result["language"] = run("language", page_language, cleaned.text, meta.language)
    result.update(is_article=is_article, reason=reason, text=cleaned.text if is_article else None)
