"""extract_page's contract: keys, types, picklability, never raising, the CLI."""

import json
import pickle
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from core.extract import RESULT_KEYS, ExtractOptions, extract_page

REPO = Path(__file__).resolve().parents[1]
ARTICLE = """<html lang="en"><head><title>DeepSeek ships a model</title>
<meta property="og:type" content="article"></head><body><article><h1>DeepSeek ships a model</h1>
<p>DeepSeek released a new open-weight language model on Monday, and developers started testing it within hours.</p>
<p>The company said the model was trained at a fraction of the usual cost, a claim that rattled investors in chip makers.</p>
</article></body></html>"""


def test_result_has_exactly_the_contract_keys():
    result = extract_page(ARTICLE, "https://example.com/2025/01/27/deepseek-ships-a-model")
    assert tuple(result) == RESULT_KEYS
    assert result["is_article"] is True
    assert "developers started testing it" in result["text"]
    assert result["published"] == "2025-01-27"
    assert result["language"] == "en"
    assert all(isinstance(fp, str) for fp in result["block_hashes"])


def test_arguments_and_result_pickle_for_worker_processes():
    options = ExtractOptions(keep_captions=True)
    assert pickle.loads(pickle.dumps(options)) == options
    result = extract_page(ARTICLE.encode(), None, content_type="text/html; charset=utf-8", options=options)
    assert pickle.loads(pickle.dumps(result)) == result


def test_empty_and_wrong_type_bodies_give_a_reason_not_an_exception():
    for body in (b"", "", b"\x00\x00", "   ", 12345, None):
        result = extract_page(body)
        assert result["text"] is None and result["is_article"] is False
        assert result["reason"]


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(st.binary(max_size=3000), st.text(max_size=3000)),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.text(max_size=40)),
)
def test_extract_page_never_raises(body, url, content_type):
    result = extract_page(body, url, content_type=content_type)
    assert tuple(result) == RESULT_KEYS
    assert result["text"] is None or isinstance(result["text"], str)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div class='x'>",
                "</div>",
                "<a href='/t'>",
                "</a>",
                "<script type='application/ld+json'>{",
                "</script>",
                "DeepSeek ",
                "Kommentar (0)",
                "<meta property='og:type' content='article'>",
                "<h1>",
                "</h1>",
                "&amp;",
                "\u00e4",
            ]
        ),
        max_size=80,
    )
)
def test_extract_page_never_raises_on_html_soup(parts):
    extract_page("".join(parts), "https://example.com/a/b-c-d-e")


def test_cli_prints_one_json_object_per_page(tmp_path):
    (tmp_path / "a.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><p>tiny</p></body></html>", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "core.extract", "--json", str(tmp_path), str(tmp_path / "missing.html")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(row["path"]).name for row in lines] == ["a.html", "b.html"]
    for row in lines:
        assert {"path", "url", "title", "text", "published", "language"} <= set(row)
    assert lines[0]["text"] and lines[1]["text"] is None
    assert "missing.html" in done.stderr and done.returncode == 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=30))
def test_odd_urls_and_links_never_cost_the_text(url, canonical, date):
    html = ARTICLE.replace(
        "<title>",
        f'<link rel="canonical" href="{canonical}"><meta property="og:url" '
        f'content="{canonical}"><meta name="date" content="{date}"><title>',
    )
    result = extract_page(html, url)
    assert not (result["reason"] or "").startswith("error"), result["reason"]
    assert result["text"] is None or "developers started testing it" in result["text"]
