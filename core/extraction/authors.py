"""Who wrote an article: names read from structured data and bylines, people kept, sites dropped.

Owns: reading a byline ("Von Anna Schmidt und Jan Meier", "By JANE DOE March 11, 2015", "Par X"),
splitting it into names, cutting off what a name carries ("Anna Schmidt, dpa", a person's own
address, "Ein Kommentar von"), telling a person's name from a site, publisher, news agency or role
("STERN.de", "mdr.de", "Deutsche Welle (www.dw.com)", "BBC News", "Games Editor"), and the order
the sources are trusted in (see ``page_authors``). Several authors are joined by AUTHOR_JOINER.
Pure functions over strings and elements; metadata.py hands over what it read from the page.
"""

from __future__ import annotations

import re
from itertools import takewhile
import unicodedata
from typing import Callable

from lxml.html import HtmlElement

from core.extraction.titles import site_keys, squeezed

AUTHOR_JOINER = "; "  # several authors in one field: "Anna Schmidt; Jan Meier" (a name may hold a comma)
# meta keys naming the author, most trusted first; every value of a key repeated counts
AUTHOR_META_KEYS = (
    "dc:creator",
    "dc.creator",
    "dcterms.creator",
    "author",
    "article:author",
    "article:author_name",
    "parsely-author",
    "sailthru.author",
    "byl",
    "twitter:creator",
)
HANDLE_META_KEYS = frozenset({"twitter:creator", "article:author"})  # often a handle or a profile URL
ORGANISATION_TYPES = frozenset(
    {
        "organization",
        "newsmediaorganization",
        "corporation",
        "organisation",
        "website",
        "brand",
        "governmentorganization",
        "educationalorganization",
    }
)

# the kind of a piece before "von" / "by" in a byline: "Ein Kommentar von", "Eine Analyse von", "Analysis by"
PIECE_KIND = (
    r"(?:(?:ein|eine|an?)\s+)?(?:kommentar|gastkommentar|gastbeitrag|analyse|essay|interview|kolumne|reportage|"
    r"rezension|kritik|analysis|opinion|commentary|review|column|feature)\s+(?:von|by)"
)
# "By", "Von", "Par", "Por", "Door", "Av", "Af", "Przez", "Autor:", "Text:", "Текст:", "Bởi", "Tác giả", "作者：",
# "Written by", "Eingestellt von" (Blogger), "Veröffentlicht von", "Geschrieben von", PIECE_KIND
PREFIX_RE = re.compile(
    r"^(?:"
    + PIECE_KIND
    + r"|written\s+by|posted\s+by|(?:eingestellt|gepostet|veröffentlicht|geschrieben|verfasst)\s+von|"
    r"text\s+(?:von|by)|by|von|par|por|door|av|af|przez|"
    r"autor(?:in)?|author|text|texte|текст|автор|bởi|tác\s+giả|作者|文)(?:\s*[:：]\s*|\s+)",
    re.I,
)
# a visible byline line: "Von ...", "By ...", "Posted by ...", "Ein Kommentar von ...", after a date at
# most ("date 2025-01 Von ...")
BYLINE_START_RE = re.compile(
    r"^\s*(?:(?:date\s+)?[\d./-]{4,10}\s+)?(?P<by>" + PIECE_KIND + r"\s|(?:(?:posted|written|eingestellt|gepostet|"
    r"veröffentlicht|geschrieben|verfasst)\s+)?(?:von|by|bởi|par|por|door)\s)",
    re.I,
)
MONTH_WORDS = (
    r"jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|sept|okt|oct|nov|dez|dec|januar|january|februar|"
    r"february|märz|march|april|juni|june|juli|july|august|september|oktober|october|november|"
    r"dezember|december|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|"
    r"décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre|tháng"
)
# a weekday before a date ("Joe Wee Monday, February 29, 2016", "Anna Schmidt Montag, 27.01.2025")
WEEKDAY_WORDS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|"
    r"freitag|samstag|sonnabend|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|"
    r"miércoles|jueves|viernes|sábado|domingo"
)
# where a byline's name ends: a date or time, a month before a number, a weekday before a date, a
# bullet, bar, dash, "@", "|", another credit ("Written by X Edited by Y", "Von X, Fotos: Y"), "on",
# "at", "am", "in" before a date or a section ("Posted by Jane Doe on November 13", "Von Anna Schmidt
# am 28.01.")
NAME_END_RE = re.compile(
    r"\s*(?:\d|\b(?:" + MONTH_WORDS + r")\.?\s*[\d/]|"
    r"(?-i:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d|\s(?:" + WEEKDAY_WORDS + r")(?=,|\s+\d)|"
    r"\s(?:edited|photos?|photography|illustrations?|fotos?|bilder|mitarbeit|"
    r"additional\s+reporting|updated|aktualisiert)\b|(?-i:\s(?:on|at|am|um|in|le|el|il)\s)|"
    r"[•|·@/–—\[]|\s-\s|\s-$|$)",
    re.I,
)
CONJUNCTION_RE = re.compile(r"\s+(?:and|und|sowie|&)\s+|\s*;\s*", re.I)
PARTICLES = frozenset(
    {
        "von",
        "van",
        "de",
        "der",
        "den",
        "del",
        "della",
        "da",
        "di",
        "du",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "zu",
        "ter",
        "ten",
        "dos",
        "das",
        "do",
        "y",
        "e",
        "af",
        "av",
        "mc",
    }
)
# words that make a name an organisation, a news agency, a desk or a job title, not a person
ORGANISATION_WORDS = frozenset(
    """
news nachrichten redaktion redaktionen zeitung magazin magazine online media medien verlag agency agentur
press presse times journal radio tv fernsehen rundfunk gmbh inc ltd llc plc team staff desk editorial
newsroom foundation stiftung contributors wikimedia community wire bureau service dienst group gruppe
network channel developers daily weekly tribune herald gazette editors organization organisation
insider publishing publisher company corporation association verband institut institute
university universität ministry ministerium department abteilung office
afp dpa ap reuters epd kna sid apa sda ansa efe xinhua tass ddp čtk
editor reporter correspondent writer columnist contributor photographer analyst redakteur redakteurin
korrespondent korrespondentin journalist journalistin kolumnist kolumnistin chefredakteur
senior chief head author follow sign updated aktualisiert published veröffentlicht posted
""".split()
)
# a company's legal form after a comma ("United Design Associates, Inc.", "Beispiel Medien, GmbH")
LEGAL_FORMS = frozenset({"inc", "ltd", "llc", "plc", "gmbh", "ag", "kg", "corp", "co", "sa", "se", "bv", "nv"})
# words a person's name never holds: function words (name particles such as "von", "de" aside) and
# the words of links and buttons ("View my complete profile", "From The Forum", "CFR Presents")
NOT_NAME_WORDS = frozenset(
    """
the of from for to in on at with by about into my your our their all more new read see click here view
profile complete comments comment presents presented sponsored advertise advertisement forum blog home
und mit für aus im zum zur über bei nach vom mehr alle unser hier
""".split()
)
WEB_ADDRESS_RE = re.compile(
    r"\bwww\.|\.(?:com|de|net|org|co\.uk|vn|cn|fr|at|ch|cz|it|es|nl|info|io)\b"
    r"|\((?:www\.)?[\w-]+\.\w+\)|https?:|@",
    re.I,
)
# a name with an address after it ("Bradley M. Kuhn (http://ebb.org/bkuhn/)", "Anna Schmidt
# <anna.schmidt@example.de>") or before it, as feeds write it ("anna@example.de (Anna Schmidt)")
NAME_WITH_ADDRESS_RES = (
    re.compile(r"^(?P<name>[^()<>@]+?)\s*[(<]\s*(?P<address>[^\s()<>]+)\s*[)>]$"),
    re.compile(r"^(?P<address>[^\s()<>]+@[^\s()<>]+)\s*\(\s*(?P<name>[^()<>@]+?)\s*\)$"),
)
ADDRESS_RE = re.compile(
    r"^(?:mailto:)?(?P<mailbox>[^@/\s]+)@[\w.-]+$|^(?:https?://)?(?:[\w-]+\.)+\w+(?P<path>/\S*)?$", re.I
)
CJK_RE = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af·・]{2,8}$")
WORD_RE = re.compile(r"[\w'’.-]+")
MAX_NAME_CHARS = 70
# classes and ids of byline elements, and the ones that hold something else about the author
# ("la-artikel__autor", "autorenzeile", not "autoresize" or "tutorial")
BYLINE_CLASS_RE = re.compile(r"byline|author|(?<![a-z])autor(?:in|en)?(?:zeile|name)?(?![a-z])", re.I)
# "author", "Author", "byline", "ByLine", "autor", "Autor"...
BYLINE_CLASS_PARTS = ("uthor", "UTHOR", "yline", "yLine", "YLINE", "utor", "UTOR")
BYLINE_CLASS_PARTS_RE = re.compile("|".join(BYLINE_CLASS_PARTS))  # one of them is in the string (one search)
NOT_BYLINE_CLASS_RE = re.compile(
    r"bio|note|follow|comment|thumb|thumnail|img|image|photo|avatar|pic|desc|about"
    r"|social|twitter|mail|more|other|list|related|widget|authoriz|authority|"
    r"title|role|job|date|time|sponsor|source|box|tab|card-list",
    re.I,
)
NOT_BYLINE_TAGS = frozenset(
    {
        "input",
        "form",
        "img",
        "meta",
        "link",
        "script",
        "style",
        "textarea",
        "select",
        "button",
        "html",
        "body",
        "article",
        "main",
        "section",
    }
)
# where a byline is someone else's: comment threads, sidebars, teasers of other articles, photo captions
ELSEWHERE_RE = re.compile(
    r"comment|kommentar|respond|reply|disqus|sidebar|widget|related|teaser|recommend|promo|"
    r"caption|credit|(?:^|\s)(?:img|image|photo|foto|figure)(?:\s|$)",
    re.I,
)
ELSEWHERE_TAGS = frozenset({"figure", "figcaption", "nav"})
COMMENT_RE = re.compile(r"comment|kommentar|respond|reply|disqus", re.I)  # all an itemprop/rel="author" heeds
PAGE_TAGS = frozenset({"body", "html"})  # their classes describe the page's layout ("sidebar-primary"), not a part
BYLINE_MAX_CHARS = 120


def words_of(name: str) -> list[str]:
    return WORD_RE.findall(name)


def is_organisation(name: str, keys: set[str] = frozenset()) -> bool:
    """name is a web address, a site's own name (one word, or no person's shape), an acronym of one
    word ("PTI", "BBC", "KWCH", a degree split off a name: "M.D."), or holds a word of an
    organisation, agency or job title (ORGANISATION_WORDS), also inside a word written in camel case
    ("CBSNews")."""
    if WEB_ADDRESS_RE.search(name):
        return True
    if " " not in name and name.isupper() and len(name) >= 2:
        return True
    words = words_of(name)
    if _has_organisation_word(words) or any(word.casefold().strip(".'’") in NOT_NAME_WORDS for word in words):
        return True
    form = squeezed(name)
    if form and form in keys:
        # a personal site is named after its author ("Nicolas Perriault" on nicolasperriault.com)
        return len(name.split()) < 2 or not looks_like_person(name)
    return False


def _has_organisation_word(words: list[str]) -> bool:
    """A word, or a part of a word (word_parts), is one of ORGANISATION_WORDS."""
    return any(word.casefold().strip(".'’") in ORGANISATION_WORDS for word in words) or any(
        part.casefold() in ORGANISATION_WORDS for word in words for part in word_parts(word)
    )


def without_credit(name: str, keys: set[str]) -> str:
    """name without what follows it after a comma when that is the outlet, an agency or a job title
    ("Anna Schmidt, dpa", "Anna Schmidt, Redakteurin", "Josh Levs, CNN" on cnn.com, a web address);
    a degree or an initial stays ("Brenda Goodman, MA", "Jong, Michiel de"), and so does a company's
    legal form ("United Design Associates, Inc.": the whole is a company)."""
    while "," in name:
        head, tail = (part.strip() for part in name.rsplit(",", 1))
        form = squeezed(tail)
        if not head or not tail or len(head.split()) < 2 or form.strip(".") in LEGAL_FORMS:
            break
        if not (WEB_ADDRESS_RE.search(tail) or _has_organisation_word(words_of(tail)) or (form and form in keys)):
            break
        name = head
    return name


def _folded(text: str) -> set[str]:
    """text case-folded, in the two ways an address spells its letters: "müller" -> "muller", "mueller"."""
    text = text.casefold()
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    spelled = text.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return {plain, spelled}


def without_own_address(name: str) -> str:
    """name without a web or mail address of the person's own beside it (NAME_WITH_ADDRESS_RES): the
    address is theirs when its mailbox or path, not its host, holds a word of the name, as a personal
    page or mailbox does ("http://ebb.org/bkuhn/" beside "Bradley M. Kuhn"). An organisation's home
    page ("Deutsche Welle (www.dw.com)") or a desk's mailbox is no person's address: the whole stays,
    and is_organisation rejects it."""
    for pattern in NAME_WITH_ADDRESS_RES:
        match = pattern.match(name)
        if match is None:
            continue
        address = ADDRESS_RE.match(match["address"])
        own = (address["mailbox"] or address["path"] or "") if address else ""
        owner = match["name"].strip()
        words = {form for word in words_of(owner) if len(word.strip(".'’-")) >= 3 for form in _folded(word)}
        if own and any(word in form for word in words for form in _folded(own)):
            return owner
        return name
    return name


def word_parts(word: str) -> list[str]:
    """The parts of a word joined by hyphens or written in camel case ("France-Presse" -> "France",
    "Presse"; "CBSNews" -> "CBS", "News"); [] for a word of one part ("Jérémy", "McDonald" has two)."""
    parts = []
    for piece in word.split("-"):
        start = 0
        for i in range(1, len(piece)):
            before, here, after = piece[i - 1], piece[i], piece[i + 1 : i + 2]
            if here.isupper() and (before.islower() or (before.isupper() and after.islower())):
                parts.append(piece[start:i])
                start = i
        parts.append(piece[start:])
    parts = [part for part in parts if part]
    return parts if len(parts) > 1 else []


def looks_like_person(name: str) -> bool:
    """A person's name as bylines write it: two to five words, each capitalised (or a particle such
    as "von", or all capitals), no digits; or two to eight CJK characters."""
    if CJK_RE.match(name):
        return True
    if any(ch.isdigit() for ch in name) or len(name) > MAX_NAME_CHARS:
        return False
    words = name.split()
    if not 2 <= len(words) <= 5 or words[0].casefold() in {"the", "der", "die", "das", "le", "la", "el", "il"}:
        return False
    for word in words:
        letters = word.strip(".,'’()-")
        if not letters:
            return False
        if not (letters[0].isupper() or letters.casefold() in PARTICLES):
            return False
    return True


def clean_name(name: str) -> str:
    """name without a byline prefix ("By", "Von") and the punctuation around it."""
    name = " ".join(name.split())
    while True:
        stripped = PREFIX_RE.sub("", name, count=1)
        if stripped == name:
            break
        name = stripped
    name = name.strip(" ,;:–—-|•·")
    if name.endswith(".") and len(name.split()[-1]) > 3:  # "Cheryl Sigmon." but "Kooman, F." and "Jr."
        name = name[:-1]
    return name


def split_names(value: str) -> list[str]:
    """The names in a field of structured data (meta, JSON-LD): split at ";", "and", "und", "&" and
    at commas only when every part then has two words or more ("Stella Kim, Jennifer Jett", but
    "Jong, Michiel de" and "Brenda Goodman, MA" stay whole)."""
    value = clean_name(value)
    parts = [clean_name(p) for p in CONJUNCTION_RE.split(value)]
    if len(parts) > 1 and not all(len(p.split()) >= 2 or CJK_RE.match(p) for p in parts):
        parts = [p.strip() for p in value.split(";")]
    names = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            names.extend(pieces)
        elif part:
            names.append(part)
    return [n for n in names if n]


def byline_names(text: str) -> list[str]:
    """The names of a visible byline: "Von Anna Schmidt und Jan Meier" -> both, "By Jane Doe,
    Senior Editor" -> "Jane Doe", "By JANE DOE March 11, 2015 3:46 PM" -> "JANE DOE". Only names
    of a person's shape (looks_like_person) are returned."""
    text = clean_name(text)
    text = text[: NAME_END_RE.search(text).start()].split("(")[0].strip(" ,;:")  # "Jane Doe (Diary)"
    parts = [p.strip(" ,") for p in CONJUNCTION_RE.split(text)]
    if len(parts) > 1:  # "A, B and C": the commas separate names too
        parts = [q.strip() for p in parts for q in p.split(",")]
    else:  # "Jane Doe, Senior Editor": what follows the comma is about her
        parts = [text.split(",")[0].strip()]
    names = [_without_trailing_outlet(clean_name(p)) for p in parts if p]
    return names if names and all(looks_like_person(n) for n in names) else []


def _without_trailing_outlet(name: str) -> str:
    """ "Jane O'Brien BBC" -> "Jane O'Brien": a short all-capitals last word after a name that is not
    written in capitals is the outlet's; "SAM ORTIZ Associated Press" -> "SAM ORTIZ": words not in
    capitals after a name that is (the wire services' byline) are the outlet's or the title's."""
    words = name.split()
    if len(words) > 2 and words[-1].isupper() and 2 <= len(words[-1]) <= 4 and not words[0].isupper():
        return " ".join(words[:-1])
    capitals = len(list(takewhile(str.isupper, words)))
    if 2 <= capitals < len(words):
        if capitals > 2 and len(words[capitals - 1]) <= 4:  # "SAM ORTIZ AP Business Writer"
            capitals -= 1
        return " ".join(words[:capitals])
    return name


def people(names: list[str], keys: set[str], *, strict: bool = False) -> list[str]:
    """The names that are people, in order, each once. strict: the names were read from visible
    text, so each must look like a person's name; from structured data one word suffices, when
    capitalised (a lower-case word is a handle: "folha", "devindra")."""
    kept: list[str] = []
    for name in names:
        name = without_credit(without_own_address(clean_name(name)), keys)
        if not name or name in kept or is_organisation(name, keys):
            continue
        if strict and not looks_like_person(name):
            continue
        if not strict and (
            len(name) > MAX_NAME_CHARS
            or not any(ch.isalpha() for ch in name)
            or any(ch.isdigit() for ch in name)
            or (" " not in name and not name[0].isupper() and not CJK_RE.match(name))
        ):
            continue
        kept.append(name)
    return kept


def jsonld_names(value) -> list[str]:
    """The people's names of a JSON-LD author value (a string, a Person, a list of them);
    Organization authors are not people."""
    if isinstance(value, str):
        return [] if value.startswith(("http", "@")) else split_names(value)
    if isinstance(value, dict):
        kinds = value.get("@type")
        kinds = {k.casefold() for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)}
        name = value.get("name")
        if kinds & ORGANISATION_TYPES or not isinstance(name, str):
            return []
        return split_names(name)
    if isinstance(value, list):
        return [name for item in value for name in jsonld_names(item)]
    return []


def elsewhere(element: HtmlElement, marks_re: re.Pattern = ELSEWHERE_RE, tags: frozenset = ELSEWHERE_TAGS) -> bool:
    """element sits in a comment thread, a sidebar, a teaser or a photo caption (an ancestor's tag
    is one of tags, or its class or id matches marks_re): a name there is not the article's author."""
    for ancestor in element.iterancestors():
        if ancestor.tag in PAGE_TAGS:
            return False
        if ancestor.tag in tags:
            return True
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if marks.strip() and marks_re.search(marks):
            return True
    return False


def marked_names(elements: list[HtmlElement], keys: set[str]) -> list[str]:
    """The names in the first element marked itemprop="author" or rel="author" that holds one (its
    itemprop="name" when it has one); a box around an inner marked element is skipped."""
    for element in elements:
        if element.tag in ("link", "meta") or elsewhere(element, COMMENT_RE, frozenset()):
            continue
        if len(elements) > 1 and any(other in elements for other in element.iterdescendants()):
            continue
        inner = element.find(".//*[@itemprop='name']")
        text = " ".join(((inner if inner is not None else element).text_content() or "").split())
        if not text or len(text) > BYLINE_MAX_CHARS:
            continue
        text = text[: NAME_END_RE.search(text).start()] if not text[:1].isdigit() else ""
        found = people(split_names(text), keys)
        if found:
            return found
    return []


def byline_class_names(tree: HtmlElement, keys: set[str]) -> list[str]:
    """The names of the first short element whose class or id says byline or author (not a bio,
    avatar, follow button or comment) and whose text reads as a byline of people (byline_names)."""
    for element in tree.iter():
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        # a plain substring test first: a walk over every element has to be cheap
        if (
            BYLINE_CLASS_PARTS_RE.search(marks) is None
            or element.tag in NOT_BYLINE_TAGS
            or not isinstance(element.tag, str)
        ):
            continue
        tokens = [t for t in marks.split() if BYLINE_CLASS_RE.search(t)]
        if not tokens or all(NOT_BYLINE_CLASS_RE.search(t) for t in tokens):
            continue
        text = " ".join(element.text_content().split())
        if not text or len(text) > BYLINE_MAX_CHARS or elsewhere(element):
            continue
        found = people(byline_names(text), keys, strict=True)
        if found:
            return found
    return []


def page_authors(
    jsonld_author,
    meta_values: dict[str, list[str]],
    tree: HtmlElement | None,
    keys: set[str],
    *,
    marked: Callable[[], list[HtmlElement]],
    byline_elements: Callable[[], list[HtmlElement]],
) -> list[str]:
    """The article's authors from the first source that names a person: JSON-LD author, the
    author meta tags (AUTHOR_META_KEYS), elements marked itemprop/rel="author" (marked() finds
    them), elements whose class says byline or author, then a visible "Von ..." / "By ..." line
    (byline_elements() finds the candidates; none in a comment thread).
    keys: the site's names (titles.site_keys)."""
    found = people(jsonld_names(jsonld_author), keys)
    if found:
        return found
    for key in AUTHOR_META_KEYS:
        values = [v for v in meta_values.get(key, ()) if not v.startswith(("http", "@", "/"))]
        found = people([n for v in values for n in split_names(v)], keys, strict=key in HANDLE_META_KEYS)
        if found:
            return found
    found = marked_names(marked(), keys)
    if found:
        return found
    if tree is not None:
        found = byline_class_names(tree, keys)
        if found:
            return found
    for element in byline_elements():
        text = " ".join(element.text_content().split())
        start = BYLINE_START_RE.search(text)  # "date 2025-01 Von Jonas Keller": from "Von" on
        if start and not elsewhere(element, COMMENT_RE, frozenset()):
            found = people(byline_names(text[start.start("by") :]), keys, strict=True)
            if found:
                return found
    return []


def byline_author(name: str | None, *site_names: str | None) -> str | None:
    """The people of a byline name another part found ("dpa", "Anna Schmidt und Jan Meier" from a
    dropped "Von ..." line), joined by AUTHOR_JOINER; None when no person is named."""
    if not name:
        return None
    found = people(byline_names(name), site_keys(*site_names), strict=True)
    return AUTHOR_JOINER.join(found) or None
