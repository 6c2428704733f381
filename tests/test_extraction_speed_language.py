"""detect_language's counting shortcuts give the answers of plain per-word counting."""

import random
from collections import Counter

from core.extraction.language import (
    LATIN_LETTERS,
    MAX_FOREIGN_LETTER_SHARE,
    MIN_STOPWORD_SHARE,
    SCRIPT_RES,
    STOPWORDS,
    WORD_LANGS,
    WORD_RE,
    detect_language,
)


def reference_detect_language(text):
    if not text:
        return None
    sample = text[:3000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters < 20:
        return None
    for lang in ("ja", "ko", "zh", "ru"):
        if len(SCRIPT_RES[lang].findall(sample)) / letters > 0.3:
            return lang
    words = [w.lower() for w in WORD_RE.findall(sample)]
    if len(words) < 5:
        return None
    counts = Counter()
    for word in words:
        for lang in WORD_LANGS.get(word, ()):
            counts[lang] += 1
    if not counts:
        return None
    (best, n1), *rest = counts.most_common(2) + [(None, 0)]
    if n1 / len(words) < MIN_STOPWORD_SHARE or n1 < 1.3 * rest[0][1]:
        return None
    if best in LATIN_LETTERS:
        letters = [ch for ch in sample.lower() if ch.isalpha()]
        foreign = [ch for ch in letters if not ("a" <= ch <= "z" or ch in LATIN_LETTERS[best])]
        if len(foreign) > MAX_FOREIGN_LETTER_SHARE * len(letters):
            return None
    return best


def test_same_answers_as_per_word_counting_ties_included():
    rnd = random.Random(7)
    vocabulary = [w for words in STOPWORDS.values() for w in words.split()]
    vocabulary += ["Die", "THE", "İstanbul", "三", "кот", "の", "한", "x", "²", "Ⅻ"]
    for _ in range(3000):
        text = " ".join(rnd.choice(vocabulary) for _ in range(rnd.randint(3, 80)))
        assert detect_language(text) == reference_detect_language(text), text
    assert detect_language("de la " * 10) == reference_detect_language("de la " * 10)  # a tie


def test_letters_counted_past_the_first_characters_when_needed():
    for text in [
        "1 2 3 " * 40 + "der die das und ist nicht mit den von zu sich auf",
        "- " * 150 + "abc",
        "..." * 100,
        "三" * 30 + " und die der " * 3,
        "a b c d e f g h i j k l m n o p q r s",
    ]:
        assert detect_language(text) == reference_detect_language(text), text
