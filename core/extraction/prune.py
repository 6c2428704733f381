"""DOM pruning before extraction: take page chrome out of the lxml tree, in place.

Owns the rules that recognise chrome in the tree:
- by semantics: aside, nav, footer, form controls and the small widget around them (rating,
  share, sign-up boxes), dialogs, ARIA roles (navigation, complementary, contentinfo, search,
  dialog, menu...);
- by class/id vocabulary (vocab/*.txt: one file per language, Chinese pinyin too): comments,
  related/recommended/most-read lists, share/rating/newsletter widgets, cookie banners, ads,
  prev/next teasers, author boxes, breadcrumbs, captions;
- by text: blocks whose whole text is a chrome line (cleanup.CHROME_LINE_RE), and headings
  such as "Cùng chuyên mục" / "Artikel empfehlen" together with the list that follows them;
- by structure, whatever the class names: link-dense blocks and runs of repeated teaser blocks;
- by site: blocks whose hash the crawler learned as chrome of this site (at most half
  of a page: more means a page seen before).
The container holding most of the page's paragraph text, and its ancestors, are never removed.
The texts of the blocks judged chrome by their words or found in widgets are handed back, for the
lines other extractors' readings of the page must not bring back.
Afterwards, lead paragraphs that trafilatura's precision mode would drop ("teaser" classes,
<header>) are made safe from it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from core.chrome import block_hash, normalize_block
from core.extraction.vocabulary import CHROME_CLASS_TOKENS
from core.extraction.cleanup import SOURCE_LINE_RE, is_caption_line, is_chrome_line, is_section_heading

DROP_TAGS = {
    "aside",
    "nav",
    "footer",
    "form",
    "button",
    "select",
    "textarea",
    "input",
    "label",
    "dialog",
    "menu",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "noscript",
    "template",
}
CAPTION_TAGS = {"figcaption"}
DROP_ROLES = {
    "navigation",
    "complementary",
    "contentinfo",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "tablist",
    "banner",
    "form",
    "status",
    "alert",
}
BLOCK_TAGS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "td",
    "th",
    "dd",
    "dt",
    "figcaption",
    "caption",
    "pre",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "form",
    "ul",
    "ol",
    "dl",
    "table",
    "tr",
    "tbody",
    "address",
    "figure",
    "main",
    "center",
}
BLOCK_TAG_NAMES = tuple(sorted(BLOCK_TAGS))  # for lxml's iter(*tags)

# class/id tokens (after splitting on non-letters and camelCase) that name chrome: vocab/*.txt
CHROME_TOKENS = CHROME_CLASS_TOKENS
CAPTION_TOKENS = frozenset(
    "caption captions credit credits bildunterschrift bildnachweis copyright photocredit chuthich".split()
)
CHROME_PHRASES = (
    "relatedpost",
    "relatedarticle",
    "relatedstor",
    "readmore",
    "readnext",
    "mostread",
    "mostpopular",
    "youmayalso",
    "youmightalso",
    "morefrom",
    "postnav",
    "postnavigation",
    "nextpost",
    "prevpost",
    "previouspost",
    "nextarticle",
    "prevarticle",
    "authorbox",
    "authorbio",
    "aboutauthor",
    "screenreadertext",
    "visuallyhidden",
    "srtext",
    "sronly",
    "mehrzumthema",
    "weitereartikel",
    "tinlienquan",
    "cungchuyenmuc",
    "binhluan",
    "xemthem",
    "socialshare",
    "shareicons",
    "tooltip",
    "hovercard",
    "popover",
)
# tokens that mark a container as the article itself: never pruned by vocabulary
CONTENT_TOKENS = frozenset(
    "articlebody articletext articlecontent postcontent postbody entrycontent "
    "storybody storycontent maincontent contentbody zhengwen noidungchitiet".split()
)
# embedded posts the article quotes (tweets, Instagram, Facebook posts): content, not chrome
QUOTED_POST_CLASSES = ("tweet", "instagram", "fb-xfbml", "tiktok")  # in a blockquote's class
SPLIT_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")

MAX_LEARNED_SHARE = 0.5  # learned site chrome may take at most this share of a page's text
MAX_SECTION_SHARE = 0.35  # a chrome heading may take following siblings up to this share of text
LINK_DENSITY_MIN = 0.7  # share of a block's text inside links to call it a link list
TEASER_RUN_MIN = 3  # repeated sibling blocks with a link and a heading/image = teasers
TEASER_MAX_CHARS = 400


# substring searches for any of several words in one regex pass (faster than one `in` per word)
CONTENT_TOKEN_RE = re.compile("|".join(re.escape(token) for token in sorted(CONTENT_TOKENS)))
CHROME_PHRASE_RE = re.compile("|".join(re.escape(phrase) for phrase in CHROME_PHRASES))


def attr_tokens(raw: str) -> tuple[set[str], str]:
    """Lowercased class/id tokens of a class+id string and the same tokens glued together."""
    lowered = raw.lower()
    if lowered != raw:  # else no uppercase letter: no camelCase to split
        lowered = SPLIT_CAMEL_RE.sub(" ", raw).lower()
    parts = NON_ALNUM_RE.split(lowered)
    tokens = set(parts)
    tokens.discard("")
    return tokens, "".join(parts)


@lru_cache(maxsize=4096)
def _vocabulary_kind(raw: str) -> str | None:
    """'chrome', 'caption', 'content' or None, from an element's class and id ("class id")."""
    tokens, glued = attr_tokens(raw)
    if not tokens:
        return None
    if CONTENT_TOKEN_RE.search(glued):  # a content token is in glued whenever it is among tokens
        return "content"
    if not tokens.isdisjoint(CHROME_TOKENS) or CHROME_PHRASE_RE.search(glued):
        return "chrome"
    if not tokens.isdisjoint(CAPTION_TOKENS):
        return "caption"
    return None


def text_content(element: HtmlElement) -> str:
    """element.text_content(), faster: lxml's text serialisation reads the same libxml2 node content
    (xmlNodeGetContent: the text of every descendant text node, in document order) that the XPath
    string() behind text_content() reads, without setting up an XPath evaluation."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def text_of(element: HtmlElement) -> str:
    """The element's text with whitespace runs collapsed to one space, stripped (str.split() splits on
    the whitespace the regex \\s+ matches, faster)."""
    return " ".join(text_content(element).split())


def remove(element: HtmlElement) -> None:
    """Remove element but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


INLINE_TAGS = {
    "a",
    "b",
    "i",
    "em",
    "strong",
    "span",
    "font",
    "u",
    "small",
    "big",
    "sup",
    "sub",
    "mark",
    "abbr",
    "cite",
    "q",
    "time",
    "code",
}


def main_container(tree: HtmlElement) -> HtmlElement | None:
    """The element holding the most prose directly: text of its <p> children plus its own
    loose text (pages that separate paragraphs with <br> or empty divs have no <p>)."""
    weight: Counter = Counter()
    for piece in tree.xpath("//body//text()[string-length(normalize-space()) >= 20]"):
        owner = piece.getparent()
        if owner is None:
            continue
        if piece.is_tail:
            owner = owner.getparent()
        while owner is not None and owner.tag in INLINE_TAGS:
            owner = owner.getparent()
        if owner is None or owner.tag in ("script", "style"):
            continue
        if owner.tag == "p":
            owner = owner.getparent()
            if owner is None:
                continue
        weight[owner] += len(piece)
    if not weight:
        return None
    return weight.most_common(1)[0][0]


def protected_set(tree: HtmlElement) -> set:
    container = main_container(tree)
    protected = {tree}
    body = tree.find("body")
    if body is not None:
        protected.add(body)
    while container is not None:
        protected.add(container)
        container = container.getparent()
    return protected


def leaf_blocks(tree: HtmlElement, limit: int = 2000) -> list[tuple[HtmlElement, str]]:
    """Block elements holding no other block element, in document order, with their
    whitespace-collapsed text. Only block elements are visited: each marks its ancestors as
    holding a block, climbing until an ancestor already marked (whose own ancestors are then
    marked too), so every element is marked once."""
    blocks = list(tree.iter(*BLOCK_TAG_NAMES))
    holding_a_block = set()
    for element in blocks:
        parent = element.getparent()
        while parent is not None and parent not in holding_a_block:
            holding_a_block.add(parent)
            parent = parent.getparent()
    found = []
    for element in blocks:
        if element in holding_a_block:
            continue
        text = text_of(element)
        if text:
            found.append((element, text))
            if len(found) >= limit:
                break
    return found


def strip_scripts(tree: HtmlElement) -> None:
    """Remove comments, scripts and styles (their text is never prose)."""
    etree.strip_elements(tree, etree.Comment, "script", "style", with_tail=False)


CHROME_BLOCK_MAX_CHARS = 1000  # longer blocks are never learned or judged as site chrome


def block_hashes(blocks: list[tuple[HtmlElement, str]]) -> list[str | None]:
    """block_hash of each block, None for blocks too long to be chrome or too short to mean
    anything: computed once a page for the chrome the site learns (page_block_hashes) and the chrome the
    page is judged by (_drop_by_text)."""
    return [block_hash(text) if len(text) <= CHROME_BLOCK_MAX_CHARS else None for _e, text in blocks]


def page_block_hashes(hashes: list[str | None], limit: int = 500) -> list[str]:
    """The page's block hashes (for SiteChrome), in document order, unique."""
    seen: dict[str, None] = {}
    for fp in hashes:
        if fp:
            seen.setdefault(fp, None)
            if len(seen) >= limit:
                break
    return list(seen)


def link_density(element: HtmlElement, total: int) -> float:
    if total == 0:
        return 0.0
    linked = sum(len(text_of(a)) for a in element.iter("a"))
    return linked / total


CONTROL_TAGS = ("button", "input", "select", "textarea")
WIDGET_MAX_CHARS = 300


def _widget_around(control: HtmlElement, protected: set, stops: dict) -> HtmlElement | None:
    """The largest block around a form control that is still small and holds no prose:
    a rating, share or sign-up widget (its prompt and thank-you lines go with it).
    stops caches, per element, whether the climb stops there, across the controls of one page
    (a page may have thousands; the tree does not change while they are judged)."""
    widget = None
    element = control.getparent()
    while element is not None and element not in protected and element.tag not in ("body", "html"):
        stop = stops.get(element)
        if stop is None:
            # a p or li never has more text than an element around it: under 80 characters, none has 80
            size = len(text_of(element))
            stop = stops[element] = size > WIDGET_MAX_CHARS or (
                size >= 80 and any(len(text_of(p)) >= 80 for p in element.iter("p", "li"))
            )
        if stop:
            break
        widget = element
        element = element.getparent()
    return widget


def caption_blocks(blocks: list[tuple[HtmlElement, str]]) -> list[str]:
    """Texts of the blocks that sit in a caption: a <figure>, a <figcaption> or an element whose
    class or id names a caption (the tags and vocabulary pruning drops captions by). Read before
    pruning; an element's verdict is worked out once for all the blocks below it."""
    verdicts: dict[HtmlElement, bool] = {}
    tags = CAPTION_TAGS | {"figure"}

    def in_caption(element: HtmlElement | None) -> bool:
        path = []
        verdict = False
        while element is not None:
            known = verdicts.get(element)
            if known is not None:
                verdict = known
                break
            path.append(element)
            if element.tag in tags or _class_kind(element) == "caption":
                verdict = True
                break
            element = element.getparent()
        for seen in path:
            verdicts[seen] = verdict
        return verdict

    return [text for element, text in blocks if in_caption(element)]


def widget_blocks(blocks: list[tuple[HtmlElement, str]], protected: set, chrome: set) -> list[str]:
    """Texts of the blocks that sit in a widget: the outermost element outside the protected
    container whose class or id names chrome (_class_kind, as pruning reads them) and which holds
    one of the ``chrome`` blocks (chrome_line_blocks: "Sign up for ...", "Tags: ..."), two signs
    that agree where either alone may be wrong (a body container with an odd class, a label inside
    the article). Read before pruning, like caption_blocks."""
    widgets = {}  # in document order
    for element in (element for element, _text in blocks if element in chrome):
        widget = None
        while element is not None and element not in protected and element.tag not in ("html", "body"):
            kind = _class_kind(element)
            if kind == "content":
                break
            if kind == "chrome":
                widget = element  # climbing on: the outermost wins
            element = element.getparent()
        if widget is not None:
            widgets[widget] = True
    if not widgets:
        return []
    texts = dict(blocks)
    return [texts[e] for widget in widgets for e in widget.iter(*BLOCK_TAG_NAMES) if e in texts]


def _class_kind(element: HtmlElement) -> str | None:
    """_vocabulary_kind of the element's class and id (None without either): a long paragraph with
    an odd class is prose, not a widget."""
    cls, ident = element.get("class"), element.get("id")
    if cls is None and ident is None:
        return None
    kind = _vocabulary_kind(f"{cls or ''} {ident or ''}")
    if kind == "chrome" and element.tag == "p" and len(text_of(element)) > 200:
        return None
    return kind


def _document_elements(tree: HtmlElement):
    """Every element of tree's document in document order: what the XPath //* selects, without XPath."""
    return tree.getroottree().getroot().iter(etree.Element)


def _drop_semantic(tree, protected, keep_captions) -> None:
    tags = DROP_TAGS | (set() if keep_captions else CAPTION_TAGS)
    tagged = list(tree.iter(*tags))  # the controls are among them: CONTROL_TAGS is part of DROP_TAGS
    stops: dict = {}
    widgets = {_widget_around(c, protected, stops) for c in tagged if c.tag in CONTROL_TAGS} - {None}
    doomed = [e for e in tagged if e not in protected] + list(widgets)
    for element in _document_elements(tree):  # //*[@role or @aria-hidden]
        role = element.get("role")
        if (
            (role is not None and role.lower() in DROP_ROLES) or element.get("aria-hidden") == "true"
        ) and element not in protected:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            remove(element)


def _is_quoted_post(element: HtmlElement) -> bool:
    """element or a blockquote below it embeds a post the article quotes (the XPath
    descendant-or-self::blockquote[contains(@class, 'tweet') or ...], walked without XPath)."""
    for quote in element.iter("blockquote"):
        cls = quote.get("class")
        if cls is not None and any(name in cls for name in QUOTED_POST_CLASSES):
            return True
    return False


def _drop_by_vocabulary(tree, protected, keep_captions) -> None:
    doomed = []
    for element in _document_elements(tree):  # //*[@class or @id]
        kind = _class_kind(element)
        if not (kind == "chrome" or (kind == "caption" and not keep_captions)):
            continue
        if element in protected or element.tag in ("html", "body"):
            continue
        if _is_quoted_post(element):
            continue  # a "social embed" box holding a quoted post: the article quotes it
        doomed.append(element)
    for element in doomed:
        remove(element)


def chrome_line_blocks(blocks, protected) -> set[HtmlElement]:
    """The blocks outside the protected container whose whole text is a chrome line, or a link a
    chrome label announces (_is_labelled_link); attribution lines are left to the line clean-up,
    which reads and drops them."""
    found = set()
    chrome_lines: dict[str, bool] = {}  # is_chrome_line of this page's texts: a fifth of them repeat
    for element, text in blocks:
        if len(text) > 600 or element in protected or SOURCE_LINE_RE.match(text):
            continue
        chrome = chrome_lines.get(text)
        if chrome is None:
            chrome = chrome_lines[text] = is_chrome_line(text)
        if chrome or (len(text) <= INLINE_TEASER_MAX_CHARS and _is_labelled_link(element, text)):
            found.add(element)
    return found


INLINE_TEASER_MAX_CHARS = 300
LABEL_EDGES = " :：|»>›→–—-•·"  # what stands between a label and the link it announces
LABEL_MAX_CHARS = 100


def _is_labelled_link(element: HtmlElement, text: str) -> bool:
    """A link announced by a chrome label: the block's words before its first link are a chrome line
    ("Lesen Sie auch" + a headline linked, "Lire aussi |" + a link) and it has no words of its own
    after it, whatever separates the label from the link."""
    lead = (element.text or "").strip()
    if len(lead) > LABEL_MAX_CHARS or (not lead and len(element) and element[0].tag == "a"):
        return False  # prose before the first link, or a link first (a menu item, a teaser)
    first = next(filter(None, map(text_of, element.iter("a"))), None)
    at = text.find(first) if first else -1
    if at <= 0:
        return False  # no link, or a link first
    label = text[:at].strip(LABEL_EDGES)
    if len(label) > LABEL_MAX_CHARS or not any(map(str.isalpha, label)) or not is_chrome_line(label):
        return False
    rest = text[at:]
    for words in map(text_of, element.iter("a")):
        rest = rest.replace(words, " ", 1)
    return not any(map(str.isalpha, rest))  # else words of its own after the link: a sentence that links


def _drop_by_text(blocks, hashes, protected, chrome, site_chrome, keep_captions, body_chars) -> None:
    doomed, headings, learned = [], [], []
    for (element, text), block_key in zip(blocks, hashes):
        if element in protected or SOURCE_LINE_RE.match(text):
            continue  # attribution lines are read (and dropped) by the line clean-up
        if element in chrome:
            doomed.append(element)
            if is_section_heading(text):
                headings.append(element)
        elif site_chrome and block_key in site_chrome:  # None (too long, too short) never is
            learned.append((element, len(text)))
        elif not keep_captions and len(text) <= 300 and is_caption_line(text):
            doomed.append(element)
    # learned site chrome covering most of the page means a page seen before (a duplicate):
    # keep it whole and let deduplication decide
    if learned and sum(n for _e, n in learned) <= MAX_LEARNED_SHARE * sum(len(t) for _e, t in blocks):
        doomed.extend(e for e, _n in learned)
    # a chrome heading ("Cùng chuyên mục", "Related articles") takes the list after it along
    for heading in headings:
        # "<div class='title'><h3>Related</h3></div><ul>...": climb out of wrappers that hold
        # nothing but the heading, so the list after the wrapper goes too
        text = text_of(heading)
        while (
            heading.getparent() is not None
            and heading.getparent() not in protected
            and heading.getnext() is None
            and text_of(heading.getparent()) == text
        ):
            heading = heading.getparent()
        following = list(heading.itersiblings())
        if not following:
            continue
        chars = sum(len(text_content(f)) for f in following if isinstance(f.tag, str))
        if body_chars and chars <= MAX_SECTION_SHARE * body_chars and not any(f in protected for f in following):
            doomed.extend(f for f in following if isinstance(f.tag, str))
    for element in set(doomed):
        if element.getparent() is not None:
            remove(element)


def _signature(element: HtmlElement) -> tuple:
    return element.tag, element.get("class", "")


TEASER_HEADINGS = ("h2", "h3", "h4", "h5")


def _has_linked_heading(element: HtmlElement) -> bool:
    """A link below element holding an image or a heading, or a heading below element holding a link
    (the XPath .//a[.//img or .//h2 or ...] | .//*[self::h2 or ...]//a, walked without XPath)."""
    for link in element.iterdescendants("a"):
        if next(link.iterdescendants("img", *TEASER_HEADINGS), None) is not None:
            return True
        for ancestor in link.iterancestors():
            if ancestor is element:
                break
            if ancestor.tag in TEASER_HEADINGS:
                return True
    return False


def _is_teaser(element: HtmlElement) -> bool:
    """A card linking elsewhere: its heading or image is a link, and it holds little text."""
    return _has_linked_heading(element) and len(text_of(element)) <= TEASER_MAX_CHARS


def _sibling_groups(element: HtmlElement, min_size: int):
    if len(element) < min_size:  # fewer children than a group needs (len counts comments too)
        return []
    groups = defaultdict(list)
    for child in element:
        if isinstance(child.tag, str):
            groups[_signature(child)].append(child)
    return [group for group in groups.values() if len(group) >= min_size]


def _links_below(element: HtmlElement, enough: int) -> int:
    """How many <a> are below element, counting no further than enough."""
    count = 0
    for _link in element.iterdescendants("a"):
        count += 1
        if count >= enough:
            break
    return count


def _drop_by_structure(tree, protected, body_chars) -> None:
    doomed = []
    for element in tree.iter("ul", "ol", "div", "section", "table", "tr", "td", "p", "dl", "main", "article"):
        links = 0 if element in protected else _links_below(element, 3)
        if links >= 2:
            text = text_of(element)
            if len(text) <= 3000:  # both link-list rules want at most 3000 characters
                density = link_density(element, len(text))
                if (links >= 3 and density >= LINK_DENSITY_MIN) or (len(text) <= 200 and density >= 0.8):
                    doomed.append(element)
                    continue
        for group in _sibling_groups(element, TEASER_RUN_MIN):
            teasers = [c for c in group if c not in protected and _is_teaser(c)]
            if len(teasers) >= TEASER_RUN_MIN:
                doomed.extend(teasers)
    for element in doomed:
        if element.getparent() is not None:
            remove(element)


def _starts_with_link(element: HtmlElement) -> bool:
    """True when the first text inside element belongs to a link (a teaser title)."""
    for node in element.iter():
        if node.text and node.text.strip():
            return any(a.tag == "a" for a in node.iterancestors()) or node.tag == "a"
        if node is not element and node.tail and node.tail.strip():
            return False
    return False


def _first_href(element: HtmlElement) -> str:
    link = next(element.iter("a"), None)
    return (link.get("href") or "") if link is not None else ""


def teaser_texts(tree: HtmlElement, is_internal=None) -> set[str]:
    """Normalised texts of teaser items: runs of >= 3 sibling blocks that each start with a
    link (a title) and hold little text. A page whose text is mostly these is a listing.
    is_internal(href), when given, keeps only items whose link stays on the site: a listing
    links its own articles, a post that lists apps or news elsewhere is prose."""
    found: set[str] = set()
    for element in tree.iter("ul", "ol", "div", "section", "main", "body"):
        for group in _sibling_groups(element, TEASER_RUN_MIN):
            if group[0].tag not in ("li", "article", "div", "section"):
                continue
            items = [
                c
                for c in group
                if _starts_with_link(c)
                and len(text_of(c)) <= 600
                and (is_internal is None or is_internal(_first_href(c)))
            ]
            if len(items) < TEASER_RUN_MIN:
                continue
            for item in items:
                found.add(normalize_block(text_of(item)))
                for part in item.iter("a", "p", "div", "span", "h2", "h3", "h4"):
                    found.add(normalize_block(text_content(part)))
    return found


TEASER_ATTR_RE = re.compile(r"teaser", re.I)
LEAD_MIN_CHARS = 80


def _is_prose(element: HtmlElement) -> bool:
    text = text_of(element)
    return len(text) >= LEAD_MIN_CHARS and link_density(element, len(text)) < 0.3


def _names_teaser(value: str | None) -> bool:
    """The XPath test contains(translate(@attr, 'T', 't'), 'teaser') on an attribute value."""
    return value is not None and "teaser" in value.replace("T", "t")


def keep_leads_for_trafilatura(tree: HtmlElement) -> None:
    """Undo two trafilatura precision rules for what survived our pruning as prose.

    favor_precision drops every <header> and every element whose class or id contains
    "teaser"; German news sites put the lead paragraph in both ("<p class='teaser'>",
    "<article><header><h1/><p>lead</p></header>"). Teaser cards and page headers were already
    judged by our rules, so a prose paragraph left there is the lead: rename the class and turn
    the header into a div.
    """
    named_teaser = [e for e in _document_elements(tree) if _names_teaser(e.get("class")) or _names_teaser(e.get("id"))]
    for element in named_teaser:
        if _is_prose(element):
            for attr in ("class", "id"):
                if element.get(attr):
                    element.set(attr, TEASER_ATTR_RE.sub("lead", element.get(attr)))
    for header in tree.iter("header"):
        if any(_is_prose(p) for p in header.iter("p")):
            header.tag = "div"


def prune_chrome(
    tree: HtmlElement,
    *,
    site_chrome: frozenset[str] = frozenset(),
    keep_captions: bool = False,
    structural: bool = True,
    blocks: list[tuple[HtmlElement, str]] | None = None,
    hashes: list[str | None] | None = None,
) -> tuple[list[str], list[str]]:
    """Remove chrome from tree in place. Returns the texts of the blocks it judged chrome by their
    words (chrome_line_blocks), and those of the blocks in widgets (widget_blocks): what another
    extractor's reading of the page must not bring back.

    blocks: leaf_blocks(tree) when the caller already has them (computed after
    strip_scripts), so the page is walked once for hashes and text rules;
    hashes: their block_hashes, when the caller has those too.
    """
    strip_scripts(tree)
    protected = protected_set(tree)
    body = tree.find("body")
    body_chars = len(text_content(body if body is not None else tree))
    if blocks is None:
        blocks = leaf_blocks(tree)
    if hashes is None:
        hashes = block_hashes(blocks) if site_chrome else [None] * len(blocks)
    chrome = chrome_line_blocks(blocks, protected)
    judged = ([text for element, text in blocks if element in chrome], widget_blocks(blocks, protected, chrome))
    _drop_by_text(blocks, hashes, protected, chrome, site_chrome, keep_captions, body_chars)
    _drop_semantic(tree, protected, keep_captions)
    _drop_by_vocabulary(tree, protected, keep_captions)
    if structural:
        _drop_by_structure(tree, protected, body_chars)
    keep_leads_for_trafilatura(tree)
    return judged
