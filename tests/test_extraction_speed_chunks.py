"""add_missing_chunks finds the extracted paragraphs whether or not they are the lines verbatim."""
from crawler.extraction.chunks import add_missing_chunks
from crawler.extraction.decode import parse_html


def chunk(paragraphs):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<div class="grid"><div class="body">{body}</div><div class="rail"></div></div>'


PART1 = ["Am 27. Januar fiel der Kurs von Nvidia um 17 Prozent, so stark wie nie an einem Tag.",
         "DeepSeek hatte kurz zuvor sein Modell R1 offen zur Verfügung gestellt."]
PART2 = ["Die Börsen reagierten nervös, die Aktien der Chiphersteller gaben deutlich nach.",
         "Analysten streiten seitdem darüber, wie viel Rechenleistung künftige Modelle brauchen."]


def test_paragraphs_found_as_the_same_lines_verbatim():
    tree = parse_html(f"<html><body><div class='chunks'>{chunk(PART1)}{chunk(PART2)}</div></body></html>")
    assert add_missing_chunks(tree, "\n".join(PART1)).split("\n") == PART1 + PART2


def test_paragraphs_found_when_lines_differ_in_case_numbers_and_spaces():
    lines = ["  AM 28. januar fiel der Kurs von  Nvidia um 3 Prozent, so stark wie nie an einem Tag.",
             "DeepSeek hatte kurz zuvor sein Modell R2 offen zur Verfügung gestellt. "]
    tree = parse_html(f"<html><body><div class='chunks'>{chunk(PART1)}{chunk(PART2)}</div></body></html>")
    merged = add_missing_chunks(tree, "\n".join(lines)).split("\n")
    assert merged == [line.strip() for line in lines] + PART2


def test_text_unchanged_without_sibling_chunks():
    tree = parse_html(f"<html><body>{chunk(PART1)}</body></html>")
    assert add_missing_chunks(tree, "\n".join(PART1)) == "\n".join(PART1)
