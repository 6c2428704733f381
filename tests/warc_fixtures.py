"""WARC files for the archive tests, written with warcio from fixture pages, the way other crawlers and
Common Crawl write them: payloads as received (gzip and chunked transfer encodings, legacy
charsets), redirects, 404s, a PDF, request, metadata and revisit records, a record whose
Content-Length lies, and a truncated last gzip member.

``write_mixed_warc(path)`` returns what the ingest should make of each record; ``write_story_warc``
writes many generated on-topic stories (some rewritten near-duplicates) for the kill-and-resume test.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXTRACTION = FIXTURES / "extraction"
DATE = "2025-02-14T09:30:00Z"


def chunked(data: bytes, size: int = 700) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def response(
    writer: WARCWriter,
    url: str,
    payload: bytes,
    headers: list[tuple[str, str]],
    status: str = "200 OK",
    date: str = DATE,
):
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(payload),
        length=len(payload),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )


def fixture(name: str) -> tuple[bytes, dict]:
    return (EXTRACTION / f"{name}.html").read_bytes(), json.loads((EXTRACTION / f"{name}.json").read_text())


def write_mixed_warc(path: Path) -> dict:
    """A CC-NEWS-like file of every kind of record; returns {"stored": {url: expected}, "skipped": {reason: n}}."""
    stored, skipped = {}, {}
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests/warc_fixtures.py"}))

    body, expected = fixture("de_legacy_cp1252")  # legacy charset, said in the header only
    url = "https://alpenblatt.example/wirtschaft/guenstige-ki-aus-china.html"
    writer.write_record(response(writer, url, body, [("Content-Type", "text/html; charset=windows-1252")]))
    stored[url] = expected

    body, expected = fixture("de_captions_source")  # gzip content encoding inside chunked transfer encoding
    url = "https://nordkurier.example/ki/deepseek-bildunterschriften.html"
    writer.write_record(
        response(
            writer,
            url,
            chunked(gzip.compress(body)),
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Encoding", "gzip"),
                ("Transfer-Encoding", "chunked"),
            ],
        )
    )
    stored[url] = expected

    body, expected = fixture("en_news_widgets")  # gzip content encoding
    url = "https://dailywire.example/tech/deepseek-widgets.html"
    writer.write_record(
        response(writer, url, gzip.compress(body), [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
    )
    stored[url] = expected
    copy_of = url

    body, expected = fixture("de_news_embeds_sources")  # chunked only
    url = "https://rheinpost.example/digital/deepseek-quellen.html"
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            "GET /digital/deepseek-quellen.html HTTP/1.1", [("Host", "rheinpost.example")], is_http_request=True
        ),
    )
    writer.write_request_response_pair(
        request,
        response(
            writer, url, chunked(body), [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        ),
    )
    stored[url] = expected
    skipped["request"] = 1

    body, _ = fixture("en_news_widgets")  # the same story again, on another site: an exact duplicate
    writer.write_record(
        response(writer, "https://mirror.example/deepseek-widgets.html", body, [("Content-Type", "text/html")])
    )

    writer.write_record(
        response(
            writer,
            "https://alpenblatt.example/kurz/1",
            b"",
            [("Location", "https://alpenblatt.example/wirtschaft/guenstige-ki-aus-china.html")],
            status="301 Moved Permanently",
        )
    )
    writer.write_record(
        response(
            writer,
            "https://alpenblatt.example/fehlt.html",
            b"<html><body>Nicht gefunden</body></html>",
            [("Content-Type", "text/html")],
            status="404 Not Found",
        )
    )
    pdf = (FIXTURES / "web" / "site_a" / "downloads" / "deepseek-r1-bericht-zusammenfassung.pdf").read_bytes()
    writer.write_record(
        response(writer, "https://alpenblatt.example/bericht.pdf", pdf, [("Content-Type", "application/pdf")])
    )
    writer.write_record(
        writer.create_revisit_record(
            copy_of, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", refers_to_uri=copy_of, refers_to_date=DATE
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://dailywire.example/tech/deepseek-widgets.html",
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
            length=18,
            warc_content_type="application/warc-fields",
        )
    )
    skipped.update({"http_301": 1, "http_404": 1, "not_html": 1, "revisit": 1, "metadata": 1, "warcinfo": 1})

    # A record whose WARC Content-Length says more bytes than it has.
    liar = io.BytesIO()
    WARCWriter(liar, gzip=False).write_record(
        response(
            writer,
            "https://alpenblatt.example/kaputt.html",
            b"<html><body><p>DeepSeek</p></body></html>",
            [("Content-Type", "text/html")],
        )
    )
    data = liar.getvalue()
    start = data.index(b"Content-Length: ") + len(b"Content-Length: ")
    end = data.index(b"\r\n", start)
    out.write(gzip.compress(data[:start] + str(int(data[start:end]) + 500).encode() + data[end:]))
    skipped["wrong_length"] = 1

    body, _ = fixture("de_obscure_class_chrome")  # cut off in the middle: a truncated last member
    last = io.BytesIO()
    WARCWriter(last, gzip=True).write_record(
        response(writer, "https://alpenblatt.example/abgeschnitten.html", body, [("Content-Type", "text/html")])
    )
    out.write(last.getvalue()[: len(last.getvalue()) // 2])
    skipped["truncated"] = 1

    path.write_bytes(out.getvalue())
    return {"stored": stored, "skipped": skipped}


def story_page(title: str, paragraphs: list[str], day: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2025-02-{day:02d}">
</head><body><nav><a href="/">Start</a> <a href="/archiv/">Archiv</a></nav>
<main><article><h1>{title}</h1>{body}</article></main><footer>Impressum · Datenschutz</footer></body></html>""".encode()


def story_pages(stories: int = 300, rewritten: int = 40, off_topic_every: int = 0) -> list[tuple[str, bytes, int]]:
    """(url, page, story number) for ``stories`` on-topic articles and near-duplicate rewrites (on another
    site) of the first ``rewritten``, each rewrite right after its original; with ``off_topic_every``,
    every so many stories is off topic (no "DeepSeek" anywhere on its page)."""
    rng = random.Random(11)
    letters = "abcdefghiklmnoprstuwz"
    vocabulary = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(5, 10))) for _ in range(4000)})
    pages = []
    for number in range(stories):
        words = [rng.choice(vocabulary) for _ in range(180)]
        versions = [(f"https://tagblatt.example/artikel/{number}.html", words)]
        if number < rewritten:
            versions.append(
                (
                    f"https://kurier.example/nachrichten/{number}-neu.html",
                    [rng.choice(vocabulary) if rng.random() < 0.15 else word for word in words],
                )
            )
        for url, text in versions:
            third = len(text) // 3
            lead = "Kurz: " if off_topic_every and number % off_topic_every == off_topic_every - 1 else "DeepSeek "
            paragraphs = [lead + " ".join(text[i : i + third]) + "." for i in range(0, 3 * third, third)]
            pages.append(
                (url, story_page(f"Bericht {number}: " + " ".join(text[:4]), paragraphs, 1 + number % 28), number)
            )
    return pages


def write_pages_warc(path: Path, pages: list[tuple[str, bytes, int]]) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, page, _ in pages:
            writer.write_record(response(writer, url, page, [("Content-Type", "text/html; charset=utf-8")]))


def write_story_warc(path: Path, stories: int = 300, rewritten: int = 40, off_topic_every: int = 0) -> list[str]:
    """One WARC file of ``story_pages``; returns their URLs in file order."""
    pages = story_pages(stories, rewritten, off_topic_every)
    write_pages_warc(path, pages)
    return [url for url, _, _ in pages]
