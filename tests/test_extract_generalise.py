"""The parts of extraction that must hold on pages from anywhere (issue 17): a junk line before
<html>, paragraphs between <br>s, titles escaped twice, sites named as authors, languages the
detector does not know, the chrome vocabulary files, the block vote, the lines two other
extractors agree on, what they must never bring back (widgets, links a chrome label announces)
and the fallback."""

from pathlib import Path

import pytest

from core.extract import ExtractOptions, extract_page
from core.extraction import combine, vocabulary
from core.extraction.cleanup import is_chrome_line, is_section_heading
from core.extraction.consensus import (
    add_agreed_lines,
    add_prose_lines,
    comparable,
    is_prose_line,
    trim_unshared_tail,
)
from core.extraction.decode import parse_page, parse_page_plainly, strip_leading_junk
from core.extraction.extractor import readability_text, readability_tree
from core.extraction.language import page_language
from core.extraction.metadata import decode_entities, person_names
from core.extraction.prune import (
    BLOCK_TAGS,
    caption_blocks,
    chrome_line_blocks,
    leaf_blocks,
    protected_set,
    widget_blocks,
)

PROSE = (
    "DeepSeek released a new open-weight language model on Monday, and developers started testing it "
    "within hours of the announcement. "
)


def test_a_wrapper_line_before_html_does_not_cost_the_page():
    page = (
        f'<text id="http://example.com/a" encoding="utf-8">\n<!DOCTYPE html>\n<html><head><title>T</title>'
        f"</head><body><article><p>{PROSE * 3}</p></article></body></html>"
    )
    assert strip_leading_junk(page).startswith("<!DOCTYPE html>")
    tree = parse_page(page)
    assert tree.tag == "html" and tree.find("body") is not None
    result = extract_page(page, "https://example.com/2025/01/27/deepseek-model-news")
    assert result["text"] and "developers started testing it" in result["text"]


def test_a_wrapper_line_before_a_preformatted_page_without_html_does_not_cost_it():
    # an old page that is one <pre> block, no <html> or <body>, behind an archive's wrapper line
    absatz = (
        "Der Bericht beschreibt, wie das Modell mit wenig Rechenleistung trainiert wurde und warum die\r\n"
        "Entwickler in Hangzhou die Gewichte offen veröffentlicht haben, samt einer Lizenz für Firmen.\r\n\r\n"
    )
    page = f'<text id="http://example.com/alt/bericht7.html" encoding="unset">\n\r\n<pre>\r\n\r\n{absatz * 3}</pre>\r\n'
    tree = parse_page(page)
    assert tree is not None and tree.tag == "html" and tree.find(".//pre") is not None
    result = extract_page(page.encode("cp1252"), "http://example.com/alt/bericht7.html", content_type="text/html")
    assert result["text"] and "mit wenig Rechenleistung trainiert" in result["text"]


def test_a_page_that_starts_with_html_is_left_alone():
    for page in (
        "<html><body><p>x</p></body></html>",
        "  <!doctype html><html></html>",
        "<p>fragment</p>",
        "<div><body>odd</body><html></html></div>",
    ):
        assert strip_leading_junk(page) == page


def test_text_segments_cut_at_blocks_and_brs_and_keep_loose_text():
    tree = parse_page(
        "<html><body><div>Intro <a href='/x'>linked words</a> more<br>second line"
        "<p>para <b>bold</b></p>tail text</div><ul><li>item</li></ul></body></html>"
    )
    segments = combine.text_segments(tree, frozenset(BLOCK_TAGS))
    assert [(owner.tag, text) for owner, text, _linked in segments] == [
        ("div", "Intro linked words more"),
        ("div", "second line"),
        ("p", "para bold"),
        ("div", "tail text"),
        ("li", "item"),
    ]
    assert segments[0][2] == len("linked words")


def test_coverage_counts_the_share_of_a_paragraph_an_output_holds():
    coverage = combine.Coverage("one two three four five\nsix")
    assert coverage.of(combine.word_tokens("one two three four")) == 1.0
    assert coverage.of(combine.word_tokens("three four five nine ten")) == pytest.approx(1 / 3)
    assert coverage.of(combine.word_tokens("six")) == 1.0 and coverage.of(combine.word_tokens("seven")) == 0.0


def test_titles_escaped_twice_are_decoded():
    assert (
        decode_entities("Die &quot;KI&quot;-Blase: Sch&ouml;n &amp; teuer &#039;25")
        == 'Die "KI"-Blase: Schön & teuer \'25'
    )
    assert decode_entities("DeepSeek – R1 & V3") == "DeepSeek – R1 & V3"
    assert decode_entities(None) is None


def test_sites_and_web_addresses_are_not_authors():
    site = ("STERN.de", None, "www.stern.de")
    assert person_names(["STERN.de", "mdr.de", "Deutsche Welle (www.dw.com)"], *site) == []
    assert person_names(["NBCNews", "Stella Kim", "Jennifer Jett"], "NBC News", None, "www.nbcnews.com") == [
        "Stella Kim",
        "Jennifer Jett",
    ]
    # a personal blog: the site is named after its author
    assert person_names(["Nicolas Perriault"], "Nicolas Perriault", None, "nicolasperriault.com") == [
        "Nicolas Perriault"
    ]


def test_several_authors_are_all_kept():
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", "author": '
        '[{"@type": "Person", "name": "Stella Kim"}, {"@type": "Person", "name": "Jennifer Jett"}]}</script>'
        f"</head><body><article><p>{PROSE * 3}</p></article></body></html>"
    )
    assert (
        extract_page(page, "https://example.com/2025/01/27/deepseek-model-news")["author"]
        == "Stella Kim; Jennifer Jett"
    )


def test_a_declared_language_the_detector_does_not_know_wins():
    czech = "Společnost DeepSeek uvedla nový model, který je podle ní levnější než konkurence a je na trhu."
    assert page_language(czech, "cs") == "cs"
    assert page_language(PROSE, "de") == "en"  # a language it knows: the text decides
    assert page_language("", "de") == "de"


def test_vocabulary_files_load_into_sections():
    assert "cùng chuyên mục" in vocabulary.SECTION_HEADING_PATTERNS[0] or any(
        "cùng chuyên mục" in p for p in vocabulary.SECTION_HEADING_PATTERNS
    )
    assert {"kommentar", "binhluan", "pinglun", "comments"} <= vocabulary.CHROME_CLASS_TOKENS
    assert set(vocabulary.SECTION_HEADING_PATTERNS) <= set(vocabulary.CHROME_LINE_PATTERNS)


def test_read_also_links_and_agency_lines_are_chrome_in_the_languages_we_crawl_but_sentences_are_not():
    for line in (
        "Lesen Sie auch: Wie Chinas KI-Labore mit wenig Rechenleistung auskommen",
        "Lire aussi | En Bourse, Nvidia subit la plus forte baisse de son histoire",
        "Le Monde avec AFP",
        "Lee también: Nvidia pierde 600.000 millones en bolsa",
        "Leggi anche: il crollo di Nvidia a Wall Street",
        "Leia também: Nvidia perde US$ 600 bilhões",
        "Lees ook: Nvidia verliest honderden miljarden",
        "Czytaj też: Nvidia traci 600 mld dolarów",
        "Sur le même sujet",
        "Читайте также: Что такое DeepSeek и почему о ней все говорят",
        "Čtěte také: Nvidia ztratila 600 miliard dolarů",
        "Läs också: Nvidia tappar 600 miljarder dollar",
        "Baca juga: Saham Nvidia anjlok 17 persen",
        "관련기사: 엔비디아 주가 17% 급락",
        "اقرأ أيضاً: سهم إنفيديا يهبط",
        "Citește și: Nvidia pierde 600 de miliarde de dolari",
        "コメント（124）",
        "La suite après cette publicité",
        "Continua após a publicidade",
        "Artikel wird nach der Anzeige fortgesetzt",
    ):
        assert is_chrome_line(line), line
    for line in (
        "Il a discuté avec AFP de la stratégie de DeepSeek.",
        "Lire aussi les rapports techniques de DeepSeek demande du temps, disent les chercheurs.",
        "A reação continua após a publicidade do governo ter sido criticada.",
    ):
        assert not is_chrome_line(line), line


def test_a_paywall_prompt_ends_the_article_but_a_sentence_that_starts_alike_does_not():
    for line in ("Weiterlesen mit NK+", "Bereits Abonnent? Hier anmelden", "Subscribe to continue reading"):
        assert is_section_heading(line), line
    assert not is_chrome_line("Weiterlesen mit dem Auto ist gefährlich, sagt die Polizei.")


def test_a_vocabulary_entry_outside_a_section_is_refused(tmp_path: Path):
    (tmp_path / "xx.txt").write_text("# comment\nstray entry\n", "utf-8")
    with pytest.raises(ValueError, match="xx.txt:2"):
        vocabulary.read_vocabulary(tmp_path)


def test_a_body_fragment_without_html_is_parsed():
    page = (
        f'<text id="http://example.com/forum/t-1.html" encoding="iso-8859-1">\n<div class="pagebody">'
        f'<div class="post">{PROSE * 4}</div></div></text>'
    )
    tree = parse_page(page)
    assert tree is not None and tree.find("body") is not None
    assert "developers started testing it" in (extract_page(page)["text"] or "")


def test_readability_reads_an_article_our_pruning_took():
    # the body sits in a container named like a widget, so pruning removes it; only the lead stays
    body = "".join(f"<p>{PROSE}Paragraph {n} goes on about the model and its cost.</p>" for n in range(8))
    page = (
        f"<html><head><title>DeepSeek ships a model</title></head><body><article><h1>DeepSeek ships a model</h1>"
        f'<p class="lead">{PROSE}</p><div class="widget-area">{body}</div></article>'
        f'<div class="comments"><p>Great post!</p></div></body></html>'
    )
    result = extract_page(page, "https://example.com/2025/01/27/deepseek-ships-a-model")
    assert result["is_article"], result["reason"]
    assert "Paragraph 7 goes on" in result["text"] and "Great post" not in result["text"]


def test_step_timer_records_each_step_only_when_asked():
    from core.extraction import extractor

    parts: dict[str, float] = {}
    extract_page(f"<html><body><article><p>{PROSE * 3}</p></article></body></html>")
    with extractor.step_timer(parts):
        extract_page(f"<html><body><article><p>{PROSE * 3}</p></article></body></html>")
    assert {"decode", "parse", "metadata", "prune", "trafilatura", "clean-up", "page kind"} <= set(parts)
    assert not extractor.step_timer.active and extractor.step_timer.parts is None


def test_a_post_listing_links_to_other_sites_is_an_article_and_a_listing_of_its_own_is_not():
    def page(href):
        items = "".join(
            f'<li><a href="{href}/{n}">App number {n} for writing without distraction</a> – '
            f"I use it every day, it is small and quiet.</li>"
            for n in range(8)
        )
        return (
            f"<html><head><title>My essential setup</title></head><body><article><h1>My essential setup</h1>"
            f"<p>{PROSE}</p><ul>{items}</ul></article></body></html>"
        )

    url = "https://blog.example/2012/10/my-essential-setup"
    post = extract_page(page("https://apps.other.example/app"), url)
    assert post["is_article"], post["reason"]
    listing = extract_page(page("/2012/10/app"), url)
    assert not listing["is_article"] and listing["reason"].startswith("teaser list"), listing["reason"]


def test_lines_both_other_extractors_read_are_added_where_they_stand_on_the_page():
    ours = "DeepSeek stellt ein neues Modell vor.\nDie Aktie fiel um zehn Prozent."
    readability = (
        "DeepSeek stellt ein neues Modell vor.\nDas Modell wurde in Hangzhou trainiert.\n"
        "Die Aktie fiel um zehn Prozent.\nMehr zum Thema"
    )
    recall = (
        "Menü\nDeepSeek stellt ein neues Modell vor!\nDas  Modell wurde in Hangzhou trainiert\n"
        "Die Aktie fiel um zehn Prozent."
    )
    assert add_agreed_lines(ours, readability, recall).split("\n") == [
        "DeepSeek stellt ein neues Modell vor.",
        "Das Modell wurde in Hangzhou trainiert.",
        "Die Aktie fiel um zehn Prozent.",
    ]


def test_a_line_only_one_other_extractor_reads_stays_out_and_ours_is_left_as_it_was():
    ours = "Erster Absatz des Artikels.\n\nZweiter Absatz des Artikels."
    assert (
        add_agreed_lines(
            ours, "Erster Absatz des Artikels.\nNewsletter abonnieren", "Zweiter Absatz des Artikels.\nImpressum"
        )
        == ours
    )
    assert add_agreed_lines(ours, "", "Erster Absatz des Artikels.") == ours
    # a line before everything ours holds goes first
    assert (
        add_agreed_lines("Zweiter Absatz.", "Vorspann des Textes\nZweiter Absatz.", "Vorspann des Textes")
        == "Vorspann des Textes\nZweiter Absatz."
    )


def test_the_second_reader_is_only_asked_when_the_first_has_a_line_ours_lacks():
    asked = []

    def recall() -> str:
        asked.append(True)
        return "Vorspann des Textes"

    ours = "Erster Absatz des Artikels.\nZweiter Absatz des Artikels."
    assert add_agreed_lines(ours, "Erster Absatz des Artikels.\nZweiter Absatz des Artikels.", recall) == ours
    assert asked == []  # readability read nothing ours lacks: trafilatura's recall mode is never run
    assert add_agreed_lines(ours, "Vorspann des Textes\nErster Absatz des Artikels.", recall).split("\n") == [
        "Vorspann des Textes",
        "Erster Absatz des Artikels.",
        "Zweiter Absatz des Artikels.",
    ]
    assert asked == [True]


def test_readability_text_leaves_out_lines_that_are_all_links():
    page = (
        '<html><body><div class="kopf"><a href="/">Start</a> <a href="/politik">Politik</a> '
        '<a href="/technik">Technik</a></div><div class="inhalt"><h1>DeepSeek öffnet sein Modell</h1>'
        '<div class="teilen"><a href="/f">f</a> <a href="/x">x</a> <a href="/mail">Mail</a></div>'
        f"<p>{PROSE}</p><p>Mehr dazu im <a href='/bericht'>Bericht der Redaktion</a> von gestern.</p>"
        "</div></body></html>"
    )
    lines = readability_text(page).split("\n")
    assert PROSE.strip() in lines and "Mehr dazu im Bericht der Redaktion von gestern." in lines
    assert not [line for line in lines if line in ("Start Politik Technik", "f x Mail")]


def test_readability_reads_a_page_with_control_characters_in_its_text(caplog):
    # a form feed left in the text after a script: readability drops the script through lxml, which
    # refuses to write the control character back, and readability gave up on the whole page
    absatz = "DeepSeek hat am Montag ein neues Sprachmodell vorgestellt, das Entwickler binnen Stunden testeten. "
    page = (
        f"<html><body><div class='beitrag'><h1>DeepSeek</h1><p>{absatz * 2}<script>var x = 1;</script>"
        f"\x0c Weiter im Text: {absatz}</p><p>{absatz * 2}</p></div></body></html>"
    )
    tree, plain = parse_page_plainly(page)
    for parsed in (None, readability_tree(tree, plain)):
        text = readability_text(page, parsed)
        assert "Weiter im Text: DeepSeek hat am Montag" in text and "\x0c" not in text
    assert "error getting summary" not in caplog.text


def test_nothing_is_added_after_a_chrome_heading_until_the_article_resumes():
    ours = "Erster Absatz des Artikels.\nZweiter Absatz des Artikels."
    readability = (
        "Erster Absatz des Artikels.\nEin Zwischentitel im Text\n2 Kommentare\nKarl schrieb am 29.01.:\n"
        "Zweiter Absatz des Artikels.\nLetzter Absatz des Artikels."
    )
    recall = "Ein Zwischentitel im Text\nKarl schrieb am 29.01.:\nLetzter Absatz des Artikels."
    assert add_agreed_lines(ours, readability, recall, stops_at=is_section_heading).split("\n") == [
        "Erster Absatz des Artikels.",
        "Ein Zwischentitel im Text",
        "Zweiter Absatz des Artikels.",
        "Letzter Absatz des Artikels.",
    ]


def test_a_short_post_keeps_its_few_lines_but_a_short_error_or_listing_page_stays_empty():
    line = "Kurz nach sieben am Deutzer Ufer: der Dom verschwindet im Nebel."

    def page(title):
        return (
            f"<html><head><title>{title}</title></head><body><div class='beitrag'><h1>{title}</h1>"
            f"<div class='beitrag-text'><p><img src='/nebel.jpg'></p><p>{line}</p></div></div></body></html>"
        )

    keep = ExtractOptions(keep_short=True)  # off by default: see ExtractOptions.keep_short
    post = extract_page(
        page("Foto der Woche: Nebel"), "https://blog.example/2024/11/14/foto-der-woche-nebel", options=keep
    )
    assert post["is_article"] and post["reason"] == "short text" and post["text"] == line
    error = extract_page(
        page("Seite nicht gefunden"), "https://blog.example/2024/11/14/foto-der-woche-nebel", options=keep
    )
    assert not error["is_article"] and error["text"] is None and error["reason"] == "error page"
    listing = extract_page(page("Fotos"), "https://blog.example/kategorie/fotos/", options=keep)
    assert not listing["is_article"] and listing["text"] is None
    bookmarks = extract_page(
        "<html><head><title>Ihre Sitzung</title></head><body><h1>Merkliste</h1><p>Ihre Merkliste ist leer.</p>"
        "<p><a href='/sitzung?sid=3'>Merkliste aktualisieren</a> · <a href='/thema/deepseek/'>Alles zu DeepSeek</a>"
        "</p></body></html>",
        "https://blog.example/sitzung?sid=2",
        options=keep,
    )
    assert not bookmarks["is_article"] and bookmarks["text"] is None  # its few lines are links, not prose
    kept_out = extract_page(
        page("Foto der Woche: Nebel"),
        "https://blog.example/2024/11/14/foto-der-woche-nebel",
    )
    assert not kept_out["is_article"] and kept_out["reason"] == "text too short"


# a German news post whose second half sits in a wrapper named like a byline (an unclosed <div class="byline">
# in the page's template): pruning takes it, trafilatura finds 1,300 characters, the page holds 700 more
BYLINE_WRAPPED_POST = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Leipzig: Straßenbahnen fahren bald mit Ökostrom</title></head>
<body><div id="seite"><div class="kopfleiste"><a href="/">Leipziger Stadtnotizen</a></div>
<div class="entry entry-type-post"><h1>Leipzig: Straßenbahnen fahren bald mit Ökostrom</h1>
<div class="entry-body">
<p>Die Stadtwerke Leipzig haben am Dienstag angekündigt, bis 2030 alle Straßenbahnen auf Ökostrom umzustellen. Der Aufsichtsrat stimmte dem Plan nach einer langen Sitzung einstimmig zu, wie ein Sprecher mitteilte. </p>
<p>Nach Angaben des Unternehmens kostet die Umstellung rund 40 Millionen Euro. Ein Teil davon soll aus einem Förderprogramm des Bundes kommen, der Rest aus den Einnahmen der eigenen Solarparks am Stadtrand.</p>
<p>Für die Fahrgäste ändert sich zunächst nichts. Die Fahrpreise bleiben nach Auskunft der Verkehrsbetriebe mindestens bis zum Ende des kommenden Jahres stabil, auch wenn die Energiekosten weiter steigen sollten.</p>
<p>Umweltverbände begrüßten die Entscheidung, mahnten aber mehr Tempo an. Andere Städte in Sachsen hätten ähnliche Pläne schon früher beschlossen und seien bei der Umsetzung deutlich weiter, hieß es.</p>
<p>Der Stadtrat muss dem Vorhaben im Frühjahr noch zustimmen. Eine Mehrheit gilt als sicher, weil alle großen Fraktionen ihre Unterstützung bereits öffentlich signalisiert haben.</p>
<p>Außerdem wollen sie die Takte auf den stark genutzten Linien verdichten. Zur Hauptverkehrszeit sollen die Bahnen dort künftig alle fünf Minuten fahren, abends alle zehn Minuten.</p>
<p>Dafür werden bis 2027 vierzig neue Niederflurbahnen angeschafft. Die ersten Fahrzeuge werden derzeit in Bautzen gebaut und sollen im nächsten Sommer in den Probebetrieb gehen.</p>
</div>
<div class="entry-more byline">
<p>Offen ist noch, was mit den alten Dieselbussen geschieht, die auf einigen Linien am Stadtrand fahren. Sie sollen nach und nach durch Elektrobusse ersetzt werden, die in einem neuen Depot im Norden geladen werden.</p>
<p>Die ersten zwanzig Elektrobusse sind bereits bestellt und sollen im Herbst ausgeliefert werden. Die Verkehrsbetriebe rechnen damit, dass die Umstellung der gesamten Flotte etwa acht Jahre dauert.</p>
<p>Im Depot entstehen dafür sechzig Ladepunkte, die nachts mit Strom aus den eigenen Solarparks und aus einem Windpark in der Nähe von Delitzsch versorgt werden sollen.</p>
<p>Bis dahin werden die Busse mit Biokraftstoff betankt, um den Ausstoß zu senken, teilte das Unternehmen mit.</p>
</div></div>
<div class="seitenleiste"><h3>Meistgelesen</h3><ul><li><a href="/2024/03/02/zoo-leipzig-elefanten">Zoo Leipzig: Nachwuchs bei den Elefanten</a></li></ul></div>
</div></body></html>"""


def test_prose_pruning_lost_from_a_long_text_comes_back_from_the_second_reading():
    result = extract_page(
        BYLINE_WRAPPED_POST, "https://stadtnotizen.example/2024/03/05/leipzig-strassenbahnen-oekostrom"
    )
    assert result["is_article"], result["reason"]
    text = result["text"]
    assert "Der Aufsichtsrat stimmte dem Plan" in text and "Windpark in der Nähe von Delitzsch" in text
    assert text.index("Niederflurbahnen") < text.index("Dieselbussen") < text.index("Biokraftstoff")
    assert "Meistgelesen" not in text and "Elefanten" not in text
    without = extract_page(
        BYLINE_WRAPPED_POST,
        "https://stadtnotizen.example/2024/03/05/leipzig-strassenbahnen-oekostrom",
        options=ExtractOptions(agree=False, second_opinion=False),
    )
    assert "Delitzsch" not in without["text"]  # what the second reading brings back: pruning took it


def test_ours_ends_where_readabilitys_article_ends_when_both_read_the_same_article():
    ours = (
        "DeepSeek stellt ein neues Modell vor, das in Hangzhou trainiert wurde.\n"
        "Die Aktie des Chipherstellers fiel daraufhin um zehn Prozent.\n"
        "Weitere Artikel aus dem Ressort\nNvidia verliert an einem Tag 600 Milliarden Dollar Wert\n"
        "Umfrage: Nutzen Sie KI-Assistenten? 165 Stimmen"
    )
    readability = (
        "DeepSeek stellt ein neues Modell vor, das in Hangzhou trainiert wurde.\n"
        "Die Aktie des Chipherstellers fiel daraufhin um zehn Prozent."
    )
    assert trim_unshared_tail(ours, readability, 0.5).split("\n") == readability.split("\n")
    # too little in common to say where the article ends: ours stays whole
    assert trim_unshared_tail(ours, readability + "\n" + PROSE * 3, 0.5) == ours
    # ours ends with a line readability holds: nothing to cut
    assert trim_unshared_tail(readability, readability, 0.5) == readability
    assert trim_unshared_tail(ours, "", 0.5) == ours


def test_readabilitys_sentences_ours_lacks_come_in_but_not_its_labels_or_captions():
    ours = "Erster Absatz des Artikels über das neue Modell.\nDritter Absatz des Artikels."
    readability = (
        "Erster Absatz des Artikels über das neue Modell.\n"
        "Der zweite Absatz erklärt, warum das Training so wenig gekostet haben soll.\n"
        "Jetzt teilen\n"
        "Das Foto zeigt den Firmensitz in Hangzhou an einem regnerischen Morgen im Januar.\n"
        "Dritter Absatz des Artikels."
    )
    caption = comparable("Das Foto zeigt den Firmensitz in Hangzhou an einem regnerischen Morgen im Januar.")
    assert add_prose_lines(ours, readability, 60, set_aside=frozenset({caption})).split("\n") == [
        "Erster Absatz des Artikels über das neue Modell.",
        "Der zweite Absatz erklärt, warum das Training so wenig gekostet haben soll.",
        "Dritter Absatz des Artikels.",
    ]


def test_a_sentence_ends_as_it_ends_in_its_own_script():
    for line in (
        "डीपसीक ने सोमवार को एक नया भाषा मॉडल जारी किया और डेवलपर्स ने कुछ ही घंटों में उसका परीक्षण शुरू किया।",
        "أصدرت شركة ديب سيك نموذجا لغويا جديدا يوم الاثنين وبدأ المطورون اختباره خلال ساعات قليلة؟",
        "ডিপসিক সোমবার একটি নতুন ভাষা মডেল প্রকাশ করেছে এবং ডেভেলপাররা কয়েক ঘণ্টার মধ্যেই পরীক্ষা শুরু করেছেন।",
        "ディープシークは月曜日、新しい言語モデルを公開し、開発者たちは発表から数時間のうちにそれを試し始めた。と語った「これは始まりに過ぎない」",
    ):
        assert is_prose_line(line, 60), line
    for quoted in ("„Das ist erst der Anfang“", "‚Das ist erst der Anfang‘", "»Das ist erst der Anfang«"):
        assert is_prose_line(f"Der Gründer sagte am Montag vor Journalisten in Hangzhou: {quoted}", 60)
    assert not is_prose_line("डीपसीक ने सोमवार को एक नया भाषा मॉडल जारी किया और डेवलपर्स ने कुछ ही घंटों में", 60)


def test_the_caption_blocks_are_those_in_figures_and_caption_classes():
    page = parse_page(
        '<html><body><div class="artikel-rumpf"><p>Erster Absatz des Artikels.</p>'
        '<figure><img src="a.jpg"><figcaption>Der Firmensitz in Hangzhou.</figcaption></figure>'
        '<div class="bildunterschrift"><p>Liang Wenfeng im Januar.</p></div>'
        "<p>Zweiter Absatz des Artikels.</p></div>"
        "<nav><ul><li>Politik</li><li>Wirtschaft</li></ul></nav>"
        '<div class="sidebar-box"><p>Meistgelesen heute</p></div></body></html>'
    )
    assert caption_blocks(leaf_blocks(page)) == ["Der Firmensitz in Hangzhou.", "Liang Wenfeng im Januar."]


def test_readabilitys_sentences_complete_an_article_but_never_make_a_category_page_one():
    # the fixture web's Vietnamese-German category page: one teaser under its <h1>, and a newsletter
    # blurb readability reads as a sentence; together they would pass for a short article
    page = (Path(__file__).parent / "fixtures/web/site_a/the-gioi/index.html").read_bytes()
    result = extract_page(page, "http://site-a.example/the-gioi/")
    assert result["is_article"] is False and result["text"] is None, result["reason"]


ARTICLE_DE = "".join(
    f"<p>{sentence} Das chinesische Unternehmen DeepSeek stellte am Montag in Hangzhou sein neues Modell vor.</p>"
    for sentence in ("Erstens.", "Zweitens.", "Drittens.", "Viertens.")
)


def widgets_of(html: str) -> list[str]:
    page = parse_page(html)
    blocks = leaf_blocks(page)
    protected = protected_set(page)
    return widget_blocks(blocks, protected, chrome_line_blocks(blocks, protected))


def test_a_widget_is_an_element_with_a_chrome_class_that_also_holds_a_chrome_line():
    # a newsletter box inside the article: its class names chrome and its title is a chrome line, so
    # all its blocks are a widget's, its blurb and its legal line too (readability would read them
    # as sentences); a body box with an odd class but no chrome line, and a chrome line in a box
    # whose class says nothing, are not widgets
    page = (
        f'<html><body><div class="beitrag">{ARTICLE_DE}'
        '<div class="nl-signup-box"><p class="nl-t">Newsletter abonnieren</p>'
        "<p>Jeden Morgen die wichtigsten Nachrichten aus der Technik, kostenlos in Ihrem Postfach.</p>"
        "<p>Mit der Anmeldung stimmen Sie unserer Datenschutzerklärung zu.</p></div>"
        '<div class="share-wrap"><p>Die Aktie fiel am Montag um zwölf Prozent, so stark wie seit Jahren nicht.</p></div>'
        '<div class="k7"><p>Anzeige</p></div>'
        f"{ARTICLE_DE}</div></body></html>"
    )
    assert widgets_of(page) == [
        "Newsletter abonnieren",
        "Jeden Morgen die wichtigsten Nachrichten aus der Technik, kostenlos in Ihrem Postfach.",
        "Mit der Anmeldung stimmen Sie unserer Datenschutzerklärung zu.",
    ]


def test_readability_does_not_bring_back_a_newsletter_boxs_blurb_between_article_parts():
    page = (Path(__file__).parent / "fixtures/extraction/en_news_split_body_inline_modules.html").read_bytes()
    theirs = readability_text(page.decode())
    assert "A daily briefing on the policy fights shaping the technology industry." in theirs  # it reads it
    text = extract_page(page, "https://capitolledger.example/news/2025/01/30/limits-00201")["text"]
    assert "daily briefing" not in text and "By signing up" not in text
    assert text.startswith("Lawmakers from both parties") and text.endswith("as early as next month.")


NVIDIA_DE = (
    "Die Aktie des Chipherstellers Nvidia verlor am Montag fast ein Fünftel ihres Werts, so viel wie nie zuvor "
    "an einem einzigen Handelstag.",
    "Auslöser war ein Sprachmodell des chinesischen Start-ups DeepSeek, das nach eigenen Angaben mit einem "
    "Bruchteil der üblichen Kosten trainiert wurde.",
    "Analysten halten die Reaktion der Börse für übertrieben, weil auch günstigere Modelle am Ende viele Chips "
    "brauchen, um genutzt zu werden.",
    "Die Bundesregierung prüft unterdessen, ob die App auf Diensthandys von Behörden genutzt werden darf.",
)


@pytest.mark.parametrize(
    "teaser",
    [
        '<p><strong>Lesen Sie auch</strong><br><a href="/x-101">Warum Nvidia jetzt unter Druck gerät</a></p>',
        '<p><strong>Lesen Sie auch</strong> <a href="/x-101">Warum Nvidia jetzt unter Druck gerät</a></p>',
        '<p>Lesen Sie auch » <a href="/x-101">Warum Nvidia jetzt unter Druck gerät</a></p>',
        '<p>Lire aussi | <a href="/x-101">En Bourse, Nvidia subit la plus forte baisse de son histoire</a></p>',
    ],
)
def test_a_link_a_chrome_label_announces_is_chrome_whatever_separates_them(teaser):
    body = "".join(f"<p>{p}</p>" + (teaser if i == 1 else "") for i, p in enumerate(NVIDIA_DE))
    page = (
        '<html lang="de"><head><meta charset="utf-8"><title>Nvidia verliert</title>'
        f'<meta property="og:type" content="article"></head><body><div class="c1"><h1>Nvidia verliert</h1>'
        f'<div class="t9">{body}</div></div></body></html>'
    )
    text = extract_page(page.encode(), "https://x.example/wirtschaft/nvidia-100")["text"]
    assert text.split("\n\n") == list(NVIDIA_DE)


def test_a_sentence_that_links_after_a_label_word_stays():
    sentence = (
        '<p>Lesen Sie auch <a href="/x-102">die Stellungnahme des Ministeriums</a>, die am Montag veröffentlicht '
        "wurde und die Lage erklärt.</p>"
    )
    body = "".join(f"<p>{p}</p>" + (sentence if i == 1 else "") for i, p in enumerate(NVIDIA_DE))
    page = f'<html lang="de"><head><meta charset="utf-8"></head><body><div class="t9">{body}</div></body></html>'
    text = extract_page(page.encode(), "https://x.example/wirtschaft/nvidia-100")["text"]
    assert "Lesen Sie auch die Stellungnahme des Ministeriums, die am Montag veröffentlicht wurde" in text
