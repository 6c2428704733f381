"""Title, author, date and language of pages modelled on the seed articles (issue 17): a title
escaped twice with the site's name after it, two authors in a German byline, a site or organisation
as the only author the markup names, an author with their own address, a weekday after the name, a
blog's team account, "Ein Kommentar von", a job title after the name, and a Czech page the detector
does not know."""

from pathlib import Path

import pytest

from core.extract import extract_page
from core.extraction.authors import byline_author, byline_names, clean_name, people, split_names
from core.extraction.language import UNDETERMINED, detect_language, page_language
from core.extraction.titles import page_title, site_keys, strip_site_name

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def page(name: str, url: str) -> dict:
    return extract_page((FIXTURES / name).read_bytes(), url)


def test_german_title_decoded_without_the_site_name_and_both_authors_kept():
    result = page("de_kurier_two_authors.html", "https://www.tech-kurier.de/ki/deepseek-r1-im-test-a-48213")
    assert result["title"] == 'Schöne neue KI-Welt – DeepSeek "R1" im Test'  # the dash inside is kept
    # the site named as author in <meta> is passed over, and so is the photo credit's byline class
    assert result["author"] == "Anna Schmidt; Jan Meier"
    assert result["published"] == "2025-01-28T09:30:00+01:00"  # published, not modified
    assert result["language"] == "de"


def test_a_site_or_organisation_is_never_the_author():
    result = page("de_organisation_only_author.html", "https://www.stern.de/digital/deepseek-ki-modell-3541.html")
    assert result["author"] is None  # nor is the reader who signed a comment "Von Karl Leser"
    assert result["title"] == "DeepSeek: Was das chinesische KI-Modell kann"
    assert result["published"] == "2025-01-27T18:12:00+01:00"  # JSON-LD inside //<![CDATA[ ... //]]>


def test_a_name_with_its_own_address_is_a_person_and_a_site_with_its_address_is_not():
    # a personal blog in Latin-1 whose <meta name="author"> carries the author's page; the reader who
    # signed a comment "Von Karl Leser" is not taken instead
    result = page("de_blog_author_address.html", "https://notizen.example.org/~jkeller/2025/deepseek-lokal/")
    assert result["author"] == "Jonas Keller"
    assert people(["Anna Müller <anna.mueller@example.de>", "jan.meier@example.de (Jan Meier)"], set()) == [
        "Anna Müller",
        "Jan Meier",
    ]
    # an organisation's home page or a desk's mailbox is no person's address
    assert people(["Deutsche Welle (www.dw.com)", "Anna Schmidt <redaktion@stern.de>"], set()) == []


def test_a_weekday_ends_the_name_in_a_german_author_class():
    result = page("de_byline_weekday.html", "https://www.lokalanzeiger.example/wirtschaft/stadtwerke-ki-assistent")
    assert result["author"] == "Anna Schmidt"  # not "Anna Schmidt Montag", nor the teaser's "Jan Meier"
    assert byline_names("Joe Wee Monday, February 29, 2016 @ 11:10 PM UTC") == ["Joe Wee"]
    assert byline_names("By Nancy Friday") == ["Nancy Friday"]  # a weekday with no date after it is a name


def test_a_blogs_team_account_is_passed_over_for_the_person_the_post_names():
    result = page("de_blog_team_account.html", "https://android-developers.example.com/2024/12/delta-updates.html")
    assert result["author"] == "Lena Vogt"  # not the account "Eingestellt von Android Developers"
    assert clean_name("Eingestellt von Jonas Keller") == "Jonas Keller"


def test_the_kind_of_piece_or_a_credit_word_is_no_part_of_the_name():
    result = page("de_kommentar_byline.html", "https://www.tagesblatt.example/meinung/europa-ki-kommentar-100.html")
    assert result["author"] == "Anna Schmidt"  # not "Ein Kommentar von Anna Schmidt", nor the site in <meta>
    assert people(split_names("Analysis by Chris Cillizza, CNN Editor-at-large"), set()) == ["Chris Cillizza"]
    assert clean_name("Текст: Венера Ерофеева") == "Венера Ерофеева"  # "Text:" in Russian


def test_an_acronym_or_a_camel_case_outlet_is_no_person_but_a_handle_is_kept():
    names = ["PTI", "CBSNews", "Agence France-Presse", "AMournfulHowlInTheNight", "Jérémy Piette", "Tracy Clark-Flory"]
    assert people(names, set()) == ["AMournfulHowlInTheNight", "Jérémy Piette", "Tracy Clark-Flory"]
    assert people(split_names("LISA SANDERS;M.D."), set()) == ["LISA SANDERS"]  # the degree is no second author


def test_a_job_title_or_agency_after_a_comma_is_cut_off_the_name_not_the_person_dropped():
    result = page(
        "de_author_with_credit.html", "https://www.rheinbote.example/wirtschaft/rechenzentren-strom-ki-100.html"
    )
    assert result["author"] == "Katrin Vogel; Jan Meier"  # from "Katrin Vogel, Redakteurin", "Jan Meier, dpa"
    keys = site_keys("CNN", "edition.cnn.com")
    assert people(["Josh Levs, CNN", "Brenda Goodman, MA", "United Design Associates, Inc."], keys) == [
        "Josh Levs",
        "Brenda Goodman, MA",  # a degree stays; a company with its legal form is no person
    ]


def test_a_czech_page_is_not_said_to_be_portuguese():
    undeclared = page("cs_no_declared_language.html", "https://zpravodaj.example.cz/trhy/deepseek-nvidia")
    assert undeclared["language"] == UNDETERMINED
    assert undeclared["author"] == "Petr Novák"  # the name in the byline box, not "před 2 hodinami"
    assert undeclared["title"] == "Čínský DeepSeek otřásl trhy. Akcie Nvidie padaly"
    declared = page("cs_declared.html", "https://zpravodaj.example.cz/trhy/deepseek-nvidia")
    assert declared["language"] == "cs"


@pytest.mark.parametrize(
    "text",
    [
        "Vláda ve středu schválila návrh zákona, který má zjednodušit stavební řízení. Podle ministra se tím "
        "zkrátí doba, po kterou lidé čekají na povolení, a úřady budou muset rozhodovat rychleji.",  # Czech
        "Rząd przyjął w środę projekt ustawy, który ma uprościć procedury budowlane. Według ministra skróci to "
        "czas oczekiwania na pozwolenia, a urzędy będą musiały szybciej podejmować decyzje.",  # Polish
        "Pemerintah pada hari Rabu menyetujui rancangan undang-undang yang bertujuan untuk menyederhanakan proses "
        "perizinan bangunan. Menurut menteri, hal ini akan mempersingkat waktu tunggu.",  # Indonesian
        "Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy eirmod tempor invidunt ut labore "
        "et dolore magna aliquyam erat, sed diam voluptua. At vero eos et accusam et justo duo dolores et ea rebum.",
    ],
)
def test_languages_the_detector_does_not_know_are_not_guessed(text):
    assert detect_language(text) is None
    assert page_language(text, None) == UNDETERMINED
    assert page_language(text, "en") == "en"  # the page's own declaration then decides


def test_the_languages_it_knows_are_still_told():
    assert (
        detect_language(
            "Die Regierung hat am Mittwoch einen Gesetzentwurf beschlossen, der die "
            "Baugenehmigung vereinfachen soll, und die Opposition hält das für falsch."
        )
        == "de"
    )
    assert (
        detect_language(
            "O governo aprovou na quarta-feira um projeto de lei que pretende simplificar as "
            "licenças de construção, e a oposição diz que as mudanças não são boas."
        )
        == "pt"
    )
    assert page_language("", "und") == UNDETERMINED


def test_site_names_are_cut_from_either_end_and_the_headline_is_left_as_written():
    keys = site_keys("Reuters", "www.reuters.com")
    assert (
        strip_site_name("Nvidia shares slide – DeepSeek rattles investors | Reuters", keys)
        == "Nvidia shares slide – DeepSeek rattles investors"
    )
    assert (
        strip_site_name("STERN.de - DeepSeek: Was das Modell kann", site_keys("stern.de"))
        == "DeepSeek: Was das Modell kann"
    )
    assert (
        strip_site_name("Minecraft 1.8 - The Bountiful Update", set(), from_title_tag=True)
        == "Minecraft 1.8 - The Bountiful Update"
    )  # no site named and the end is no short trail
    assert (
        strip_site_name("Lorem ipsum dolor sit amet – My website", set(), from_title_tag=True)
        == "Lorem ipsum dolor sit amet"
    )
    assert (
        strip_site_name("New Zealand - Wikipedia", set(), headings=("New Zealand",), from_title_tag=True)
        == "New Zealand"
    )
    # with the site's name cut off, a section trail is left; the page's <h1> says where the headline ends
    kurier = site_keys("Mittelhessen Kurier", "mittelhessen-kurier.example")
    assert (
        strip_site_name(
            "„Europa muss jetzt aufholen“ - Interview - Mittelhessen Kurier",
            kurier,
            headings=("„Europa muss jetzt aufholen“",),
            from_title_tag=True,
        )
        == "„Europa muss jetzt aufholen“"
    )
    assert (  # no heading to say so: the trail stays, as a headline's second half would
        strip_site_name("Nvidia bricht ein - DAX im Minus - Mittelhessen Kurier", kurier, from_title_tag=True)
        == "Nvidia bricht ein - DAX im Minus"
    )
    # a title meta tag that is only the site's name is no headline
    assert (
        page_title(
            None,
            {"og:title": "Yahoo News"},
            "Space ship breaks up over Siberia - Yahoo News",
            [],
            site_keys("Yahoo News"),
        )
        == "Space ship breaks up over Siberia"
    )


def test_bylines_give_people_and_only_people():
    assert byline_names("Von Anna Schmidt und Jan Meier") == ["Anna Schmidt", "Jan Meier"]
    assert byline_names("By JANE DOE March 11, 2015 3:46 PM") == ["JANE DOE"]
    assert byline_names("By Daniel Kahn Gillmor, Senior Staff Technologist") == ["Daniel Kahn Gillmor"]
    assert byline_names("Par Sébastien Farcis") == ["Sébastien Farcis"]
    # the wire services' byline: the name in capitals, then the outlet or the title
    assert byline_names("By SAM ORTIZ Associated Press") == ["SAM ORTIZ"]
    assert byline_names("By MATT O'BRIEN and KELVIN CHAN AP Technology Writers") == ["MATT O'BRIEN", "KELVIN CHAN"]
    assert byline_names("Written by Rob Ewaschuk Edited by Betsy Beyer") == ["Rob Ewaschuk"]
    assert byline_names("Ian LYNAMOctober 2, 2012") == ["Ian LYNAM"]
    assert byline_names("Posted by Josh Alper on November 13, 2012, 6:33 PM EST") == ["Josh Alper"]
    assert byline_names("Von Anna Schmidt am 28.01.2025") == ["Anna Schmidt"]
    # a byline word is a prefix only as a word of its own: "AFP" is no "af" + "P"
    assert [clean_name(n) for n in ("AFP", "Authority Control", "Von: Anna Schmidt", "Autorin: Eva Maier")] == [
        "AFP",
        "Authority Control",
        "Anna Schmidt",
        "Eva Maier",
    ]
    assert people(byline_names("Last Updated: January 7, 2025"), set(), strict=True) == []
    assert split_names("Stella Kim, Jennifer Jett") == ["Stella Kim", "Jennifer Jett"]
    assert split_names("Jong, Michiel de") == ["Jong, Michiel de"]  # one name written surname first
    # what the line clean-up drops as a byline goes through the same judgement
    assert byline_author("Anna Schmidt und Jan Meier", "Tech-Kurier") == "Anna Schmidt; Jan Meier"
    assert byline_author("dpa", "Tech-Kurier") is None and byline_author("Tech-Kurier", "Tech-Kurier") is None
    keys = site_keys("BBC News", "www.bbc.com")
    assert people(["BBC News", "dpa", "Games Editor", "www.dw.com", "folha", "Jane Doe"], keys) == ["Jane Doe"]


def test_odd_markup_and_odd_structured_data_never_break_the_reader():
    from core.extraction.decode import parse_html
    from core.extraction.metadata import read_metadata
    from tests.test_extraction_speed_metadata import pages

    odd_jsonld = [
        '{"@type": "NewsArticle", "headline": ["a", "b"], "author": {"@type": ["Person"], "name": 7}}',
        '{"@type": "NewsArticle", "headline": null, "author": [null, "", {"name": null}, ["Jane Doe"]]}',
        '<!--{"@type": "NewsArticle", "author": "https://example.com/jane", "creator": "@jane"}-->',
        '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Tech-Kurier"}}',
    ]
    trees = [tree for _, tree in pages(count=150, seed=23)]
    trees += [
        parse_html(
            f'<html><head><script type="application/ld+json">{script}</script><title>&amp;</title>'
            '</head><body><h1> </h1><div class="byline">By</div></body></html>'
        )
        for script in odd_jsonld
    ]
    for tree in trees:
        info = read_metadata(tree, "https://www.example.com/2025/01/27/x", use_htmldate=False)
        assert info.title is None or (isinstance(info.title, str) and info.title.strip() == info.title)
        assert info.author is None or all(name.strip() for name in info.author.split("; "))


PROSE_DE = (
    "Das chinesische Start-up DeepSeek hat mit seinem Modell R1 die Börsen erschüttert. Der Kurs von Nvidia "
    "fiel an einem einzigen Handelstag um 17 Prozent, so stark wie nie zuvor an einem Tag. "
)


@pytest.mark.parametrize("byline, author", [("Von dpa", None), ("Von Anna Schmidt, dpa", "Anna Schmidt")])
def test_a_byline_line_in_the_text_gives_its_people_not_its_agency(byline, author):
    page = (
        f'<html lang="de"><head><title>DeepSeek erschüttert die Börsen</title></head><body>'
        f'<article><h1>DeepSeek erschüttert die Börsen</h1><p class="zeile">{byline}</p>'
        f"<p>{PROSE_DE * 3}</p><p>{PROSE_DE * 2}</p></article></body></html>"
    )
    result = extract_page(page, "https://tagblatt.example/wirtschaft/deepseek-boerse-2025")
    assert result["author"] == author
