"""Language of a text from its most frequent function words, or of a page from its markup.

Owns: a small, fast detector for the languages the corpus cares about (de, en, fr, es, it,
nl, pt, vi, zh, ja, ko, ru by script or stopwords) that says nothing rather than the nearest
language it knows (a Czech text is not Portuguese), reading a declared language (<html lang>,
Content-Language, og:locale) as ISO 639-1, and the page's language: UNDETERMINED ("und", the
ISO 639-2 / BCP 47 code for it) when neither the text nor the page tells.
"""

from __future__ import annotations

import re
from collections import Counter

STOPWORDS = {
    "de": "der die das und ist nicht mit den von zu sich auf für ein eine einer des dem im auch "
    "als wird werden sind wurde hat oder aber nach bei noch wie über nur durch sie es er",
    "en": "the and of to is in that for with was on are as be by this from have has it an "
    "which their not but at or they were been its would will can about more",
    "fr": "le la les et des est une pour dans que qui pas sur par du au avec ce sont plus "
    "il elle ses ont été aux mais comme leur cette",
    "es": "el la los las y de que en es una por con para del se su al lo como más pero sus "
    "ha fue son este esta también entre",
    "it": "il di che la e un una per non sono gli della del le con si nel al alla anche come più ha è delle questo dei",
    "nl": "de het een van en is dat niet op te in zijn met voor er aan ook als maar om door "
    "bij wordt nog heeft werd naar",
    "pt": "o a os as de que e do da em um uma para com não por mais dos das se ao na no é foi são também pela pelo",
    "vi": "của và là các có được những cho trong một với người này không đã khi về từ đến "
    "theo như để năm cũng sẽ nhiều tại",
}
WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _word in _words.split():
        WORD_LANGS[_word] = WORD_LANGS.get(_word, ()) + (_lang,)
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
SCRIPT_RES = {
    "ja": re.compile(r"[\u3040-\u30ff]"),  # kana
    "ko": re.compile(r"[\uac00-\ud7af]"),  # hangul
    "zh": re.compile(r"[\u4e00-\u9fff]"),  # han (after kana: Japanese uses han too)
    "ru": re.compile(r"[\u0400-\u04ff]"),  # cyrillic (ru is the likely one)
}
ANY_SCRIPT_RE = re.compile("|".join(pattern.pattern for pattern in SCRIPT_RES.values()))
LANG_CODE_RE = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$")
SAMPLE_CHARS = 3000
UNDETERMINED = "und"  # the language could not be told
# real prose has a quarter to a third of its words among its language's commonest function words
# (the fewest 14% in 679 de/en/fr news texts); a text under this share is another language
MIN_STOPWORD_SHARE = 0.12
# the letters beyond a-z each Latin-script language writes; a text with more than
# MAX_FOREIGN_LETTER_SHARE of its letters outside them is not that language (Czech "ě š č ř ž ů" is
# not Portuguese, Polish "ł ą ę" is not Dutch); a few foreign names stay under it
LATIN_LETTERS = {
    "de": "äöüßéèàáç",
    "en": "éèàáçïëöüñ",
    "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíñóúüç",
    "it": "àèéìíîòóùú",
    "nl": "áéèëïíóöüúç",
    "pt": "áâãàçéêíóôõúü",
}
MAX_FOREIGN_LETTER_SHARE = 0.01


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of text, or None when the text is too short or unclear."""
    if not text:
        return None
    sample = text[:SAMPLE_CHARS]
    if not ANY_SCRIPT_RE.search(sample):  # every script count below would be 0
        # only "at least 20 letters" matters then, mostly settled by the first 200 characters
        if sum(map(str.isalpha, sample[:200])) < 20 and sum(map(str.isalpha, sample)) < 20:
            return None
    else:
        letters = sum(map(str.isalpha, sample))
        if letters < 20:
            return None
        for lang in ("ja", "ko", "zh", "ru"):
            hits = len(SCRIPT_RES[lang].findall(sample))
            if hits / letters > 0.3:
                return lang
    words = WORD_RE.findall(sample)
    if len(words) < 5:
        return None
    counts = Counter()  # languages in the order the text first gives them a word, as ties go by it
    for word, n in Counter(map(str.lower, words)).items():
        for lang in WORD_LANGS.get(word, ()):
            counts[lang] += n
    if not counts:
        return None
    (best, n1), *rest = counts.most_common(2) + [(None, 0)]
    n2 = rest[0][1]
    if n1 / len(words) < MIN_STOPWORD_SHARE or n1 < 1.3 * n2:
        return None
    if best in LATIN_LETTERS and _foreign_letter_share(sample, best) > MAX_FOREIGN_LETTER_SHARE:
        return None
    return best


def _foreign_letter_share(sample: str, lang: str) -> float:
    """The share of sample's letters that are neither a-z nor among lang's own (LATIN_LETTERS)."""
    own = LATIN_LETTERS[lang]
    letters = foreign = 0
    for ch in sample.lower():
        if ch.isalpha():
            letters += 1
            if not ("a" <= ch <= "z" or ch in own):
                foreign += 1
    return foreign / letters if letters else 0.0


def normalize_language_code(value: str | None) -> str | None:
    """'de-DE' / 'en_US' / 'vi' -> 'de' / 'en' / 'vi'; 'und' stays 'und'; None for anything else."""
    if not value:
        return None
    match = LANG_CODE_RE.match(value.split(",")[0])
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 or code == UNDETERMINED else None


def is_known(language: str | None) -> bool:
    """language names a language: not empty and not UNDETERMINED."""
    return bool(language) and language != UNDETERMINED


DETECTED_LANGUAGES = frozenset(STOPWORDS) | {"zh", "ja", "ko", "ru"}  # what detect_language can say


def page_language(text: str | None, declared: str | None) -> str:
    """The language of a page's text: detected from it, unless the page declares a language the
    detector does not know (Czech); the declared one when the text is unclear; UNDETERMINED when
    neither tells."""
    declared = declared if is_known(declared) else None
    if declared and declared not in DETECTED_LANGUAGES:
        return declared
    return detect_language(text) or declared or UNDETERMINED
