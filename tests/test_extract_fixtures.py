"""Fixture pages (tests/fixtures/extraction/<name>.html beside <name>.json): every body
paragraph present, not one chrome string left, the expected metadata and page kind.

The JSON beside each page says: url, optional content_type and options, is_article,
paragraphs (each must be one paragraph of text, exactly), exact (text is those paragraphs and
nothing else), must_not_contain (chrome strings), metadata (expected values of result keys).
"""

import json
from pathlib import Path

import pytest

from core.extract import ExtractOptions, extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
CASES = sorted(p.stem for p in FIXTURES.glob("*.html"))


def load_case(name):
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    body = (FIXTURES / f"{name}.html").read_bytes()
    options = ExtractOptions(**expected.get("options", {}))
    result = extract_page(body, expected.get("url"), content_type=expected.get("content_type"), options=options)
    return expected, result


def test_every_fixture_page_has_its_expectations():
    for name in CASES:
        assert (FIXTURES / f"{name}.json").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_fixture_page(name):
    expected, result = load_case(name)
    assert result["is_article"] is expected["is_article"], result["reason"]
    if not expected["is_article"]:
        assert result["text"] is None
        assert result["reason"]
    else:
        paragraphs = result["text"].split("\n\n")
        for paragraph in expected["paragraphs"]:
            assert paragraph in paragraphs, f"missing paragraph: {paragraph[:60]!r}\n---\n{result['text']}"
        if expected.get("exact"):
            assert paragraphs == expected["paragraphs"], result["text"]
        for chrome in expected.get("must_not_contain", []):
            assert chrome not in result["text"], f"chrome survived: {chrome!r}\n---\n{result['text']}"
    for key, value in expected.get("metadata", {}).items():
        assert result[key] == value, f"{key}: {result[key]!r} != {value!r}"
