"""The shortcuts in cleanup.py answer exactly as the full patterns they stand in for."""

import re

import pytest

from core.extraction import cleanup
from core.extraction.cleanup import (
    CHROME_LINE_RE,
    FLOATING_RE,
    INLINE_CHROME_RE,
    INLINE_CHROME_WORD,
    LIST_MARK_RE,
    clean_text,
    is_caption_line,
    is_chrome_line,
)

CHROME_SAMPLES = [
    "Read more",
    "  READ MORE:  Wie DeepSeek rechnet",
    "Lesen Sie auch: DeepSeek im Test",
    "Xem thêm",
    "Artikel empfehlen",
    "Cùng chuyên mục",
    "相关阅读",
    "推荐阅读",
    "Tags: KI, China",
    "Kommentare (3)",
    "12 Kommentare",
    "3 min read",
    "Lesezeit: 4 Minuten",
    "Anzeige",
    "[Anzeige_2]",
    "Share on Facebook",
    "★★★★☆",
    "  ",
    "...",
    "- - -",
    "© 2025 Heise Medien",
    "(dpa)",
    "Foto: Bloomberg",
    "Stand: 28.01.2025 14:05 Uhr",
    "Follow us on X",
    "Write to Jane Doe at jane@example.com",
    "jane@example.com",
    "twitter.com/someone",
    "Reporting by Jane Doe; Editing by John Roe",
    "Copyright 2025 Reuters",
    "« : Vorheriger Artikel",
    "Home > Tech > KI",
    "<< : zurück",
    "Updated: 28 Jan 2025, 14:05",
    "Image source, Getty Images",
    "责任编辑：张三",
    "原标题：DeepSeek 发布新模型",
    "Ảnh minh họa",
    "Thời gian đọc: 3 phút",
    "Sign up for our newsletter",
    "Melden Sie sich für unseren Newsletter an",
    "Bewerten Sie uns auf Trustpilot!",
    "Jane Doe contributed reporting.",
    "Title *",
    "E-Mail",
    "Loading...",
    "Mehr laden …",
    "Hat Ihnen der Artikel gefallen?",
    "Next article: DeepSeek",
    "Die Kosten steigen, sagt ein Sprecher des Unternehmens.",
    "DeepSeek hat ein neues Modell vorgestellt.",
    "By Jane Doe",
    "Quelle: Reuters",
    "2025",
    "Sponsored",
    "\u00a0Anzeige",
    "\u3000相关文章",
    "ſhare",
    "Kommentare",
    "ıMAGE SOURCE, Getty",
    "\u212aommentare (2)",
    "İmage caption, Reuters",
]


def reference_is_chrome_line(line: str) -> bool:
    """is_chrome_line as it was: the whole pattern, then the floating words."""
    if len(line) > 600:
        return False
    if CHROME_LINE_RE.match(line):
        return True
    lowered = line.lower()
    return any(k in lowered for k in ("newsletter", "trustpilot", "contributed")) and bool(FLOATING_RE.match(line))


def variants(line: str):
    yield line
    yield line.upper()
    yield line.lower()
    yield line.swapcase()
    for prefix in (" ", "\t", "\u00a0", "\u2003", "\u3000", "(", "ſ", "ı", "\u212a", "İ", "1 ", "*"):
        yield prefix + line
    yield line.replace("s", "ſ").replace("k", "\u212a").replace("i", "ı")


@pytest.mark.parametrize("sample", CHROME_SAMPLES)
def test_chrome_line_shortcut_answers_as_the_whole_pattern(sample):
    for line in variants(sample):
        assert is_chrome_line(line) == reference_is_chrome_line(line), line


def test_every_first_character_gets_the_answer_of_the_whole_pattern():
    for code in list(range(0x20, 0x250)) + list(range(0x1E00, 0x1F00)) + [0x3000, 0x4E0A, 0x76F8, 0x63A8, 0xFF08]:
        for rest in ("", "ead more", "ommentare (2)", " 2025", "hare", "elated"):
            line = chr(code) + rest
            assert is_chrome_line(line) == reference_is_chrome_line(line), line


def test_alternatives_that_may_start_anywhere_are_always_tried():
    starts = dict(zip(cleanup.CHROME_LINE_PATTERNS, cleanup.CHROME_LINE_STARTS))
    assert starts[r"[★☆✩✪⭐*\s]+"] is None  # may start with a space
    assert starts[r"[!\[\]()|\s.·•-]+"] is None
    assert starts[r"(?:le |la |l'|l’)?[\w-]+(?: [\w-]+)? avec (?:l'|l’)?(?:afp|reuters|ap|agences)"] is None  # \w
    # a digit is a category too, but a known one: every character \d matches, and only those
    digits = starts[r"\d+\s*comments?"]  # vocab/en.txt
    for code in range(0x110000):
        assert bool(digits.match(chr(code))) is bool(re.match(r"\d", chr(code))), hex(code)
    assert starts[r"stand\s*:\s*\d{1,2}\.\d{1,2}\.\d{2,4}.{0,30}"].match("S")


def test_inline_chrome_word_is_in_every_match():
    letters = set(INLINE_CHROME_WORD)
    for code in range(0x110000):
        ch = chr(code)
        for letter in letters:
            if re.match(letter, ch, re.I):
                assert ch.lower() == letter
    for line in ("Gute Idee. Click To Tweet", "Gute Idee. TWEET THIS ", "Zum Tweeten klicken"):
        assert INLINE_CHROME_RE.search(line) and INLINE_CHROME_WORD in line.lower()


def test_list_marks_and_tweet_prompts_still_go():
    cleaned = clean_text("• Erster Punkt der Liste\n- Zweiter Punkt. Click To Tweet\nDritter Punkt ohne Marke")
    assert cleaned.text.split("\n\n") == ["Erster Punkt der Liste", "Zweiter Punkt.", "Dritter Punkt ohne Marke"]
    assert LIST_MARK_RE.match("‣ x") and not LIST_MARK_RE.match("x - y")


def test_caption_hint_search_is_any_hint():
    assert is_caption_line("Foto: Bloomberg")
    assert is_caption_line("Die Stadt bei Nacht. Quelle: Getty")
    assert not is_caption_line("Die Kosten steigen, sagt ein Sprecher.")
    for line in ("a/b", "x © y", "图 1", "nothing here"):
        assert bool(cleanup.CREDIT_HINT_RE.search(line.lower())) == any(h in line.lower() for h in cleanup.CREDIT_HINTS)


def test_site_chrome_lines_go_unless_most_of_the_page_is_learned():
    from core.chrome import block_hash

    prose = [
        "DeepSeek hat ein neues Modell vorgestellt, das viele Fachleute überrascht hat.",
        "Die Börsen reagierten nervös, die Aktien der Chiphersteller gaben deutlich nach.",
        "Analysten streiten seitdem darüber, wie viel Rechenleistung künftige Modelle brauchen.",
    ]
    chrome_line = "Unsere Redaktion empfiehlt diese Themen"
    text = "\n".join([chrome_line] + prose)
    learned = frozenset({block_hash(chrome_line)})
    assert clean_text(text, site_chrome=learned).text.split("\n\n") == prose
    everything = frozenset(block_hash(line) for line in [chrome_line] + prose)
    assert clean_text(text, site_chrome=everything).text.split("\n\n") == [chrome_line] + prose


def test_known_fingerprints_give_the_same_result():
    from core.chrome import block_hash

    lines = [
        "Unsere Redaktion empfiehlt diese Themen",
        "DeepSeek hat ein neues Modell vorgestellt, das viele Fachleute überrascht hat.",
        "Die Börsen reagierten nervös, die Aktien der Chiphersteller gaben deutlich nach.",
    ]
    learned = frozenset({block_hash(lines[0])})
    known = {line: block_hash(line) for line in lines[:2]}
    text = "\n".join(lines)
    assert clean_text(text, site_chrome=learned, known_hashes=known) == clean_text(text, site_chrome=learned)
    assert clean_text(text, site_chrome=learned, known_hashes=known).text.split("\n\n") == lines[1:]
