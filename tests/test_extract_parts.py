"""The parts of extraction on their own: line clean-up, captions option, fallback, metadata,
language, page kind."""

from pathlib import Path

import trafilatura

from core.extract import ExtractOptions, extract_page
from core.extraction.chunks import add_missing_chunks
from core.extraction.cleanup import clean_text, is_caption_line, is_chrome_line
from core.extraction.decode import parse_html
from core.extraction.language import detect_language, normalize_language_code
from core.extraction.metadata import date_from_url, normalize_date, read_metadata
from core.extraction.pagekind import url_listing_reason

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"


def test_chrome_lines_in_several_languages():
    for line in [
        "Lesezeit: 8 Min.",
        "5 min read",
        "Kommentar (0)",
        "12 Kommentare",
        "[Anzeige_2]",
        "Anzeige",
        "Cùng chuyên mục",
        "Cùng tác giả",
        "Artikel empfehlen",
        "Bình luận (3)",
        "Hinterlasse einen Kommentar",
        "Bewerte uns auf Trustpilot",
        "0 Bewertet von 0 Nutzern",
        "<<:  Der Kampf der Ausländer",
        ">>: Nächste Meldung",
        "Related articles",
        "相关文章",
        "Like this story? Share it with a friend!",
        "Loader Mehr anzeigen...",
        "No data",
        "Tempo de leitura: 1 minuto",
        "You may also like...",
        "Filed under: Technik |",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Mit Material von dpa",
        "(Reporting by Jane Doe; Editing by John Roe)",
        "Jane Doe contributed reporting from Hangzhou.",
        "Empfohlener externer Inhalt",
        "Lesen Sie auch: Was DeepSeek R1 wirklich kann",
        "Get the day's top headlines delivered to your inbox by subscribing to our newsletter.",
    ]:
        assert is_chrome_line(line), line
    for line in [
        "DeepSeek hat die KI-Branche aufgemischt.",
        "Kommentar: Warum DeepSeek Europa weckt",
        "More than a million people downloaded the app in a week.",
        "Also, the company said it would open a second office in Beijing.",
        "Die Kommentare der Analysten fielen gemischt aus, die Aktie erholte sich kaum.",
    ]:
        assert not is_chrome_line(line), line


def test_captions_and_credits():
    for line in [
        "Die Hauptbenutzeroberfläche von DeepSeek. Foto: Bloomberg . |",
        "Bildquelle: Stanford University",
        "DeepSeek löst ein Beben aus. (Quelle: Getty)",
        "Foto: dpa",
        "Ảnh: Reuters",
    ]:
        assert is_caption_line(line), line
    assert not is_caption_line("Das Foto zeigt, wie groß das Interesse an DeepSeek in China ist.")


def test_clean_text_takes_source_title_reading_time_and_byline_out():
    text = (
        "DeepSeek im Test\nLesezeit: 4 Min.\nVon Jonas Keller\nErster Absatz über DeepSeek und seine Folgen.\n"
        "Zweiter Absatz über die Reaktion der Börsen.\nQuelle: https://example.com/original\nKommentar (0)"
    )
    cleaned = clean_text(text, title="DeepSeek im Test")
    assert cleaned.text == (
        "Erster Absatz über DeepSeek und seine Folgen.\n\nZweiter Absatz über die Reaktion der Börsen."
    )
    assert cleaned.source == "https://example.com/original"


def test_keep_captions_option_keeps_them():
    body = (FIXTURES / "de_captions_source.html").read_bytes()
    url = "https://znews.example/de/x-post1.html"
    default = extract_page(body, url)["text"]
    kept = extract_page(body, url, options=ExtractOptions(keep_captions=True))["text"]
    assert "Foto: Bloomberg" not in default
    assert "Die Symbole von DeepSeek, ChatGPT und Gemini. Foto: Bloomberg" in kept


def test_fallback_fixture_really_needs_the_fallback():
    html = (FIXTURES / "de_fallback_comment_class.html").read_text(encoding="utf-8")
    assert trafilatura.extract(html, favor_precision=True, include_comments=False) is None
    assert extract_page(html, "https://wochenblick.example/meinung/kommentar-deepseek-7731")["text"]


def test_dates():
    assert normalize_date("2025-01-27T14:05:00Z") == "2025-01-27T14:05:00+00:00"
    assert normalize_date("2025-01-27") == "2025-01-27"
    assert normalize_date("2025-02-30") is None
    assert normalize_date("Mon, 27 Jan 2025 08:00:00 +0100") == "2025-01-27T08:00:00+01:00"
    assert normalize_date("Mon, 27 Jan 2025 08:00:00 GMT") == "2025-01-27T08:00:00+00:00"
    assert normalize_date("27.01.2025") == normalize_date("27 Jan 2025") == "2025-01-27"
    assert normalize_date("Mon, 27 Jan 1890 08:00:00 +0100") is None
    assert date_from_url("https://a.example/2025/01/28/deepseek/") == "2025-01-28"
    assert date_from_url("https://a.example/news/20250128-deepseek") == "2025-01-28"
    assert date_from_url("https://a.example/news/deepseek") is None


def test_the_first_time_and_author_element_count_not_the_last():
    html = (
        "<html><body><article><p itemprop='author'>Von <span itemprop='author'>Jonas Keller</span>, 28.01.</p>"
        "<time datetime='2025-01-28T09:30:00+01:00'>28.01.2025</time>"
        "<p>" + "DeepSeek hat ein neues Modell vorgestellt, das viele überrascht hat. " * 5 + "</p></article>"
        "<aside><ul><li><time datetime='2024-12-01'>1.12.</time> <span itemprop='author'>Ruth Okafor</span></li>"
        "<li><time datetime='kaputt'>gestern</time></li></ul></aside></body></html>"
    )
    meta = read_metadata(parse_html(html), "https://a.example/ki/deepseek")
    assert (meta.published, meta.author) == ("2025-01-28T09:30:00+01:00", "Jonas Keller")


def test_language():
    assert (
        detect_language(
            "Die Aktie von Nvidia ist nach der Vorstellung des Modells stark gefallen, und die Anleger sind nervös."
        )
        == "de"
    )
    assert detect_language("The stock fell sharply after the model was released and investors were nervous.") == "en"
    assert (
        detect_language("Cổ phiếu của Nvidia đã giảm mạnh sau khi mô hình được ra mắt và các nhà đầu tư lo lắng.")
        == "vi"
    )
    assert detect_language("英伟达的股价在模型发布后大幅下跌，投资者感到紧张。") == "zh"
    assert detect_language("ok") is None
    assert normalize_language_code("de-DE") == "de" and normalize_language_code("en_US") == "en"
    assert normalize_language_code("x") is None


def test_declared_language_is_used_when_text_says_nothing_clear():
    html = (
        "<html lang='pt-BR'><head><meta property='og:type' content='article'></head><body><p>"
        + "DeepSeek R1 " * 30
        + "</p></body></html>"
    )
    assert extract_page(html, "https://a.example/noticia/deepseek-r1-chega-ao-brasil")["language"] == "pt"


def test_url_shapes():
    assert url_listing_reason("https://a.example/tag/deepseek/") == "listing url /tag/"
    assert url_listing_reason("https://a.example/") == "home page url"
    assert url_listing_reason("https://a.example/?s=deepseek") == "search url"
    assert url_listing_reason("https://a.example/chu-de/deepseek.html") is not None
    assert url_listing_reason("https://a.example/category/ai/page/2/") is not None
    assert url_listing_reason("https://a.example/2025/01/28/deepseek-tops-the-app-store/") is None
    assert url_listing_reason("https://a.example/tag/why-deepseek-matters-for-europe") is None


def test_error_page_is_not_an_article():
    html = (
        "<html><head><title>404 – Seite nicht gefunden</title></head><body><h1>Seite nicht gefunden</h1>"
        "<p>Die angeforderte Seite existiert leider nicht mehr. Vielleicht finden Sie über die Suche, "
        "was Sie gesucht haben, oder Sie kehren zur Startseite zurück und lesen dort weiter.</p></body></html>"
    )
    result = extract_page(html, "https://a.example/technik/deepseek-alt-123")
    assert result["text"] is None and result["reason"] == "error page"


def test_prose_that_looks_a_bit_like_chrome_stays():
    text = (
        "Im Jahr 2024 wuchs DeepSeek schneller als erwartet.\n"
        "Zeit für einen Wandel\n"
        "Es ergibt sich folgendes Bild: Die Kosten steigen.\n"
        "Die Kommentare der Analysten fielen gemischt aus.\n"
        "Theo Reuters hat sich das Unternehmen nicht geäußert, sagte ein Sprecher am Montag."
    )
    cleaned = clean_text(text, site_name="Zeit", title="DeepSeek wächst")
    assert cleaned.text.split("\n\n") == text.split("\n")


def test_edges_lose_dates_site_names_bylines_and_vietnamese_attribution():
    text = (
        "Báo Quốc TếBáo Quốc Tế07/02/2025\nMontag, 27. Januar 2025, 14:05 Uhr\n"
        "Von Max Muster und Erika Beispiel, dpa\n"
        "DeepSeek veröffentlichte am Montag ein neues Modell, das viele überraschte.\n"
        "Các chuyên gia cho rằng DeepSeek sẽ thay đổi thị trường.\nTheo Reuters"
    )
    cleaned = clean_text(text, site_name="Báo Quốc Tế")
    assert cleaned.text == (
        "DeepSeek veröffentlichte am Montag ein neues Modell, das viele überraschte.\n\n"
        "Các chuyên gia cho rằng DeepSeek sẽ thay đổi thị trường."
    )
    assert cleaned.source == "Reuters"
    assert cleaned.byline == "Max Muster und Erika Beispiel, dpa"


def test_body_split_into_chunks_between_ads_comes_back_whole():
    chunk = '<div class="grid"><div class="body">{}</div><div class="rail"><div class="ad">Anzeige</div></div></div>'
    first = "".join(
        f"<p>Erster Teil, Absatz {w}: DeepSeek hat mit R1 ein Modell vorgestellt, das viele überrascht.</p>"
        for w in ("eins", "zwei", "drei", "vier", "fünf", "sechs")
    )
    second = (
        "<p>Zweiter Teil: Die Börsen reagierten nervös, und die Aktien der Chiphersteller gaben deutlich nach.</p>"
        "<p>Zweiter Teil: Analysten streiten seitdem darüber, wie viel Rechenleistung künftige Modelle brauchen.</p>"
    )
    html = (
        '<html><head><meta property="og:type" content="article"></head><body><article><h1>DeepSeek</h1>'
        f'<div class="chunks">{chunk.format(first)}{chunk.format(second)}</div></article></body></html>'
    )
    text = extract_page(html, "https://a.example/technik/deepseek-r1-ueberrascht-die-branche")["text"]
    assert "Erster Teil, Absatz sechs" in text
    assert text.endswith("wie viel Rechenleistung künftige Modelle brauchen.")
    assert "Anzeige" not in text


def chunk(paragraphs):
    """One chunk of an article split over sibling grids, as some sites serve it."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<div class="grid"><div class="body">{body}</div><div class="rail"></div></div>'


def test_add_missing_chunks_appends_sibling_chunks_trafilatura_left_behind():
    part1 = [
        "DeepSeek hat mit R1 ein Modell vorgestellt, das viele Fachleute überrascht hat.",
        "Das Modell ist offen verfügbar und kann auf eigener Hardware laufen.",
    ]
    part2 = [
        "Die Börsen reagierten nervös, die Aktien der Chiphersteller gaben deutlich nach.",
        "Analysten streiten seitdem darüber, wie viel Rechenleistung künftige Modelle brauchen.",
    ]
    teasers = '<div class="grid"><div class="body"><p><a href="/x">Mehr über Chips und Märkte hier</a></p></div></div>'
    tree = parse_html(f"<html><body><div class='chunks'>{chunk(part1)}{chunk(part2)}{teasers}</div></body></html>")
    merged = add_missing_chunks(tree, "\n".join(part1))
    assert merged.split("\n") == part1 + part2
    assert add_missing_chunks(tree, "\n".join(part1 + part2)).split("\n") == part1 + part2


PART1 = [
    "Am 27. Januar fiel der Kurs von Nvidia um 17 Prozent, so stark wie nie an einem Tag.",
    "DeepSeek hatte kurz zuvor sein Modell R1 offen zur Verfügung gestellt.",
]
PART2 = [
    "Die Börsen reagierten nervös, die Aktien der Chiphersteller gaben deutlich nach.",
    "Analysten streiten seitdem darüber, wie viel Rechenleistung künftige Modelle brauchen.",
]


def test_paragraphs_found_as_the_same_lines_verbatim():
    tree = parse_html(f"<html><body><div class='chunks'>{chunk(PART1)}{chunk(PART2)}</div></body></html>")
    assert add_missing_chunks(tree, "\n".join(PART1)).split("\n") == PART1 + PART2


def test_paragraphs_found_when_lines_differ_in_case_numbers_and_spaces():
    lines = [
        "  AM 28. januar fiel der Kurs von  Nvidia um 3 Prozent, so stark wie nie an einem Tag.",
        "DeepSeek hatte kurz zuvor sein Modell R2 offen zur Verfügung gestellt. ",
    ]
    tree = parse_html(f"<html><body><div class='chunks'>{chunk(PART1)}{chunk(PART2)}</div></body></html>")
    merged = add_missing_chunks(tree, "\n".join(lines)).split("\n")
    assert merged == [line.strip() for line in lines] + PART2


def test_text_unchanged_without_sibling_chunks():
    tree = parse_html(f"<html><body>{chunk(PART1)}</body></html>")
    assert add_missing_chunks(tree, "\n".join(PART1)) == "\n".join(PART1)


def test_a_number_in_the_title_is_not_an_error_page():
    html = (
        "<html><head><title>DeepSeek: 404 Millionen Downloads in einem Monat</title>"
        "<meta property='og:type' content='article'></head><body><p>"
        + "DeepSeek wächst schnell. " * 20
        + "</p></body></html>"
    )
    assert extract_page(html, "https://a.example/technik/deepseek-404-millionen-downloads")["is_article"]


def test_bytes_are_decoded_like_scrapy_does():
    prose = "Die Börse in Zürich reagierte nervös auf DeepSeek, während Anleger über Gewinne grübelten."
    more = "".join(
        f"<p>Absatz {word}: Händler in Köln und Graz prüften ihre Positionen, Analysten blieben gelassen.</p>"
        for word in ("eins", "zwei", "drei")
    )
    page = f"<html><head><title>Börse</title></head><body><article><p>{prose}</p>{more}</article></body></html>"
    header_only = extract_page(page.encode("iso-8859-1"), None, content_type="text/html; charset=iso-8859-1")
    assert prose in header_only["text"]
    with_bom = extract_page("\ufeff".encode() + page.encode("utf-8"), None, content_type="text/html")
    assert prose in with_bom["text"]
    utf16 = extract_page(page.encode("utf-16"), None, content_type=None)
    assert prose in utf16["text"]


def test_small_blocks_around_buttons_are_widgets_whatever_they_say():
    prose = "".join(
        f"<p>{s}</p>"
        for s in [
            "DeepSeek hat sein Modell offen veröffentlicht, und Entwickler in aller Welt testen es bereits.",
            "Die Kosten für das Training sollen deutlich niedriger gewesen sein als bei der Konkurrenz.",
            "Ob sich das Modell im Alltag bewährt, wird sich in den kommenden Monaten zeigen.",
        ]
    )
    widget = (
        '<div class="q-1"><div class="q-2"><p class="q-3">Ihre Meinung zählt sehr</p>'
        '<div class="q-4"><button>Daumen hoch</button> <button>Daumen runter</button></div>'
        '<p class="q-5">Merci vielmals!</p></div></div>'
    )
    html = (
        f'<html><head><meta property="og:type" content="article"></head><body><div class="w-0">'
        f'<div class="w-1">{prose}</div>{widget}</div></body></html>'
    )
    text = extract_page(html, "https://a.example/technik/deepseek-offen-fuer-alle-entwickler")["text"]
    assert "Ob sich das Modell im Alltag bewährt" in text
    for chrome in ("Ihre Meinung", "Daumen", "Merci"):
        assert chrome not in text


def test_service_pages_are_not_articles_but_sections_named_like_them_are_fine():
    assert url_listing_reason("https://a.example/impressum/") == "service page url /impressum/"
    assert url_listing_reason("https://a.example/datenschutz.html") == "service page url /datenschutz.html/"
    assert url_listing_reason("https://a.example/privacy/deepseek-privacy-concerns-grow-in-europe") is None


def test_lines_that_only_start_like_chrome_stay():
    for line in [
        "Von China lernen heißt siegen lernen",
        "Writing by hand is a dying art in the age of chatbots.",
        "Mitarbeiter von DeepSeek berichten von langen Arbeitstagen",
        "Aktualisiert wurde auch die App",
        "Registrieren müssen sich Nutzer nicht, die App funktioniert sofort.",
    ]:
        assert clean_text("Erster Absatz über DeepSeek.\n" + line).text.endswith(line), line
    assert (
        clean_text("Von Max Muster und Erika Beispiel, dpa\nText über DeepSeek.").byline
        == "Max Muster und Erika Beispiel, dpa"
    )


def test_page_rendered_by_scripts_falls_back_to_the_jsonld_article_body():
    body = " ".join(
        f"Satz {i}: DeepSeek hat ein neues Modell vorgestellt, das viele Fachleute überrascht hat."
        for i in ("eins", "zwei", "drei", "vier", "fünf", "sechs")
    )
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "DeepSeek", '
        f'"articleBody": "{body}"}}</script></head><body><div id="app">Wird geladen...</div>'
        "<noscript>Bitte aktivieren Sie JavaScript.</noscript></body></html>"
    )
    result = extract_page(html, "https://a.example/technik/deepseek-neues-modell-ueberrascht")
    assert result["is_article"] and result["text"] == body


def test_line_level_safety_net_for_lists_the_dom_rules_missed():
    body = [
        f"Absatz {w}: DeepSeek verändert die Branche, und die Konkurrenz muss sich neu aufstellen."
        for w in ("eins", "zwei", "drei", "vier", "fünf", "sechs")
    ]
    tail = [
        "Artikel empfehlen",
        "Was ist die richtige Laufkadenz?",
        "Heutzutage wollen viele Menschen abnehmen. Wenn S...",
        "So praktizieren Sie Yoga zu Hause",
        "Während der Ferien bleiben viele Menschen lieber ...",
    ]
    top = ["Bild erstellt mit einem Bildgenerator", "DeepSeek verändert alles"]
    cleaned = clean_text("\n".join(top + body + tail), title="DeepSeek verändert alles")
    assert cleaned.text.split("\n\n") == body


def test_prose_trailing_off_with_an_ellipsis_stays():
    body = [
        "Der Chef von DeepSeek sagte nur: „Wir wissen nicht, was als Nächstes kommt …",
        "Zwischentitel ohne Punkt",
        "Die Konkurrenz reagierte mit einem knappen „Abwarten…",
        "Am Ende blieb die Frage offen, wie es weitergeht, und alle warteten auf die nächste Version.",
    ]
    assert clean_text("\n".join(body)).text.split("\n\n") == body


def test_related_heading_in_a_wrapper_takes_the_list_after_the_wrapper():
    prose = "".join(
        f"<p>Absatz {w}: DeepSeek verändert die Branche, und die Konkurrenz muss sich neu aufstellen.</p>"
        for w in ("eins", "zwei", "drei", "vier")
    )
    related = (
        '<div class="k1"><div class="k2"><h3>Das könnte Sie auch interessieren</h3></div>'
        '<div class="k3"><p>Chipfirmen im Stress: was jetzt auf Anleger zukommt und warum</p>'
        "<p>Open Source gegen Silicon Valley: ein ungleicher Kampf um Entwickler</p></div></div>"
    )
    html = (
        f'<html><head><meta property="og:type" content="article"></head><body><div class="w">'
        f'<div class="b">{prose}</div>{related}</div></body></html>'
    )
    text = extract_page(html, "https://a.example/technik/deepseek-veraendert-die-branche")["text"]
    assert "Absatz vier" in text and "Chipfirmen" not in text and "Open Source gegen" not in text


def test_metadata_title_canonical_site_name_and_date_order():
    from core.extraction.decode import parse_html
    from core.extraction.metadata import read_metadata

    html = (
        "<html lang='en'><head><title>DeepSeek tops the charts | Daily Ledger</title>"
        "<meta property='og:site_name' content='Daily Ledger'>"
        "<link rel='canonical' href='/tech/deepseek-tops-the-charts'>"
        "<meta property='article:published_time' content='2025-01-28T09:00:00+01:00'>"
        "<meta name='author' content='By Ruth Okafor'></head>"
        "<body><h1>DeepSeek tops the charts</h1><p>Text.</p></body></html>"
    )
    meta = read_metadata(parse_html(html), "https://dailyledger.example/tech/deepseek-tops-the-charts?utm=x")
    assert meta.title == "DeepSeek tops the charts"
    assert meta.canonical_url == "https://dailyledger.example/tech/deepseek-tops-the-charts"
    assert meta.site_name == "Daily Ledger" and meta.language == "en" and meta.author == "Ruth Okafor"
    assert meta.published == "2025-01-28T09:00:00+01:00"
    bare = read_metadata(
        parse_html("<html><body><p>x</p></body></html>"), "https://www.example.org/2025/02/03/deepseek-story"
    )
    assert bare.site_name == "example.org" and bare.published == "2025-02-03" and bare.title is None
