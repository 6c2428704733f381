"""WARC files (ISO 28500, WARC/1.1), one gzip member per record, written and read with warcio.

Writing: ``WarcFiles`` appends request/response pairs to ``PREFIX-TIMESTAMP-NNNNN.warc.gz`` files in
one directory, a new file for every run and whenever a file passes ``max_size``, each starting with a
``warcinfo`` record. Each record is built by warcio (headers, digests) and compressed in memory, and
the pair goes to disk in one ``write``: after a SIGKILL every complete record stays readable, and
the next run starts a new file.

Reading: ``read_members`` walks a ``.warc.gz`` file gzip member by gzip member (the unit of a
gzip-per-record WARC), so a broken member (truncated, corrupt, wrong lengths inside) costs one
record, not the rest of the file, and every record has an exact offset to resume from.
``archived_page`` turns a record into the page the pipeline judges, or says why it is skipped.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Iterator

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.warcwriter import WARCWriter

try:  # ISA-L (python-isal): standard gzip at ~5x the speed of zlib's fastest level, ~15% larger than level 6;
    # it inflates ~2x as fast as zlib too
    from isal import isal_zlib as deflate

    GZIP_LEVEL = 2  # ISA-L's highest
except ImportError:  # no wheel for this platform: zlib (warcio's level 9 costs ~3x level 6 for ~2% on HTML)
    deflate = zlib
    GZIP_LEVEL = 6
GZIP_MAGIC = b"\x1f\x8b\x08"
READ_CHUNK = 1 << 20
MAX_RECORD_BYTES = 64 << 20  # a record inflating past this is skipped (DOWNLOAD_MAXSIZE is 10 MiB)
RENAMED_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
"""Headers that describe the bytes on the wire, not the decoded body stored: kept as X-Crawler-NAME,
as Common Crawl does, and a true Content-Length added."""
HTML_TYPES = ("text/html", "application/xhtml+xml")
FILE_NAME = re.compile(r"-(\d{14})-(\d{5})\.warc\.gz$")


def warc_date(moment: datetime | None = None) -> str:
    """A WARC-Date: UTC, ISO 8601, microseconds (WARC/1.1 allows them; one crawl fetches many pages a second)."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stored_http_headers(
    headers: list[tuple[str, str]], body_length: int, *, inflated: bool = True
) -> list[tuple[str, str]]:
    """The HTTP headers of a response whose body is stored de-chunked and (``inflated``) decoded: the
    headers about the wire encoding renamed to X-Crawler-*, and a Content-Length that matches the stored
    body, so that WARC readers neither inflate nor de-chunk it again. A body stored as it came
    (``inflated=False``) keeps its Content-Encoding."""
    renamed = RENAMED_HEADERS if inflated else ("transfer-encoding", "content-length")
    kept = []
    for name, value in headers:
        if name.lower() in renamed:
            kept.append((f"X-Crawler-{name}", value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(body_length)))
    return kept


@dataclass(frozen=True)
class RecordLocation:
    """Where a response record is: file name (within the archive directory), offset and length of its
    gzip member, and its WARC-Date."""

    file: str
    offset: int
    length: int
    date: str


@dataclass
class Exchange:
    """One HTTP request and its response, as the archive stores them (bodies decoded)."""

    url: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[str, str]] = ()
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    date: str | None = None
    inflated: bool = True  # the body was inflated by the crawler (False: as the server encoded it)


class WarcFiles:
    """The archive directory of one writer: gzip-per-record WARC files, rotated by size, a new one per run.

    Not thread-safe: one writer (the crawl process) per directory, like the corpus it sits beside.
    """

    def __init__(self, directory: str | os.PathLike, prefix: str, *, max_size: int = 1 << 30, info: dict | None = None):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or {})
        self.started = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.builder = WARCWriter(None, gzip=False, warc_version="WARC/1.1")
        self.handle = None
        self.name = None
        self.size = 0
        self.warcinfo_id = None
        self.records = 0

    def next_serial(self) -> int:
        serials = [
            int(match.group(2))
            for path in self.directory.glob(f"{self.prefix}-*.warc.gz")
            if (match := FILE_NAME.search(path.name))
        ]
        return max(serials, default=-1) + 1

    def open_next(self) -> None:
        """Start a new file (never append to an old one: a killed run may have left a torn last record)."""
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        serial = self.next_serial()
        while True:
            name = f"{self.prefix}-{self.started}-{serial:05d}.warc.gz"
            try:
                self.handle = open(self.directory / name, "xb", buffering=0)
                break
            except FileExistsError:
                serial += 1
        self.name, self.size = name, 0
        record = self.builder.create_warcinfo_record(name, self.info)
        self.warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self.write_members([record])

    def write(self, exchange: Exchange) -> RecordLocation:
        """Write the response record and its request record (WARC-Concurrent-To the response); return
        where the response record is."""
        if self.handle is None or self.size >= self.max_size:
            self.open_next()
        date = exchange.date or warc_date()
        response_headers = {"WARC-Date": date, "WARC-Warcinfo-ID": self.warcinfo_id}
        if exchange.ip_address:
            response_headers["WARC-IP-Address"] = exchange.ip_address
        status = f"{exchange.status} {reason_phrase(exchange.status)}".strip()
        response = self.builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=StatusAndHeaders(
                status,
                stored_http_headers(exchange.response_headers, len(exchange.body), inflated=exchange.inflated),
                protocol=exchange.protocol,
            ),
            warc_headers_dict=response_headers,
        )
        request = self.builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}",
                list(exchange.request_headers),
                is_http_request=True,
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Warcinfo-ID": self.warcinfo_id,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        offset = self.size
        lengths = self.write_members([response, request])
        self.records += 1
        return RecordLocation(self.name, offset, lengths[0], date)

    def write_members(self, records) -> list[int]:
        members = [gzip_member(self.serialize(record)) for record in records]
        self.handle.write(b"".join(members))  # one write: a kill leaves whole records or a torn last one
        self.size += sum(map(len, members))
        return [len(member) for member in members]

    def serialize(self, record) -> bytes:
        out = io.BytesIO()
        self.builder._write_warc_record(out, record)  # warcio's own serialiser, uncompressed (gzip=False)
        return out.getvalue()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def gzip_member(data: bytes) -> bytes:
    compressor = deflate.compressobj(GZIP_LEVEL, deflate.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def request_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# -- reading ----------------------------------------------------------------------------------------
@dataclass
class Member:
    """One gzip member of a WARC file: its offset, its length on disk, and the record bytes inside
    (``data``), or why it could not be read (``error``)."""

    offset: int
    length: int
    data: bytes | None = None
    error: str | None = None

    @property
    def kind(self) -> str | None:
        """The error's name for counting: truncated, corrupt_gzip, not_gzip, trailing_bytes, too_large."""
        if self.error is None:
            return None
        for start, kind in (
            ("truncated", "truncated"),
            ("corrupt", "corrupt_gzip"),
            ("not a gzip", "not_gzip"),
            ("trailing", "trailing_bytes"),
            ("record larger", "too_large"),
        ):
            if self.error.startswith(start):
                return kind
        return "unreadable"


class BadRecord(ValueError):
    """A record that cannot be used; ``kind`` names the fault for counting (wrong_length, bad_headers...)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


def read_members(path: str | os.PathLike, start: int = 0) -> Iterator[Member]:
    """The gzip members of a ``.warc.gz`` file from byte ``start`` on (a member boundary). A corrupt
    member or bytes that are no member are reported and reading goes on at the next gzip header; a
    truncated last member is reported and ends the file."""
    with open(path, "rb") as handle:
        handle.seek(start)
        position, pending = start, b""
        while True:
            if len(pending) < len(GZIP_MAGIC):
                more = handle.read(READ_CHUNK)
                pending += more
                if not pending:
                    return
                if not more and len(pending) < len(GZIP_MAGIC):
                    yield Member(position, len(pending), error="trailing bytes after the last record")
                    return
            if not pending.startswith(GZIP_MAGIC):
                skipped = distance_to_member(handle, position + 1) + 1
                yield Member(position, skipped, error="not a gzip member (skipped to the next one)")
                position, pending = position + skipped, b""
                handle.seek(position)
                continue
            member, after, pending = inflate_member(handle, position, pending)
            yield member
            if member.error == "truncated gzip member":
                return
            if member.data is None and member.error.startswith("corrupt"):
                position, pending = position + 1 + distance_to_member(handle, position + 1), b""
                handle.seek(position)
                continue
            position = after


def inflate_member(handle, position: int, pending: bytes) -> tuple[Member, int, bytes]:
    """Inflate the member starting at ``position`` (``pending`` holds its first bytes). Returns the
    member, the offset after it and the bytes already read past it."""
    inflater = deflate.decompressobj(zlib.MAX_WBITS + 16)
    parts, size, consumed, too_large = [], 0, 0, False
    while True:
        try:
            out = inflater.decompress(pending)
        except (zlib.error, deflate.error) as error:
            return Member(position, consumed, error=f"corrupt gzip member ({error})"), position, b""
        if not too_large:
            size += len(out)
            if size > MAX_RECORD_BYTES:
                too_large, parts = True, []
            else:
                parts.append(out)
        if inflater.eof:
            rest = inflater.unused_data
            consumed += len(pending) - len(rest)
            if too_large:
                member = Member(position, consumed, error=f"record larger than {MAX_RECORD_BYTES} bytes")
            else:
                member = Member(position, consumed, data=b"".join(parts))
            return member, position + consumed, rest
        consumed += len(pending)
        pending = handle.read(READ_CHUNK)
        if not pending:
            return Member(position, consumed, error="truncated gzip member"), position + consumed, b""


def distance_to_member(handle, position: int) -> int:
    """Bytes from ``position`` to the next gzip header, or to the end of the file."""
    handle.seek(position)
    scanned, carry = 0, b""
    while True:
        chunk = handle.read(READ_CHUNK)
        window = carry + chunk
        found = window.find(GZIP_MAGIC)
        if found >= 0:
            return scanned + found
        if not chunk:
            return scanned + len(window)
        keep = min(len(GZIP_MAGIC) - 1, len(window))
        scanned += len(window) - keep
        carry = window[len(window) - keep :]


LOADER = ArcWarcRecordLoader(verify_http=False)


def parse_record(data: bytes):
    """The warcio record in a member's bytes. Raises BadRecord for unreadable headers or a
    Content-Length that does not match the bytes the record has."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise BadRecord("bad_headers", "no end of WARC headers")
    try:
        record = LOADER.parse_record_stream(io.BytesIO(data))
    except (ArchiveLoadFailed, StatusAndHeadersParserException) as error:
        raise BadRecord("bad_headers", f"unreadable WARC headers ({str(error)[:80]})") from None
    declared = record.rec_headers.get_header("Content-Length")
    block = len(data) - (head_end + 4)
    if declared is None or not declared.isdigit():
        raise BadRecord("wrong_length", "no Content-Length")
    if int(declared) > block or data[head_end + 4 + int(declared) :].strip(b"\r\n") != b"":
        raise BadRecord("wrong_length", f"Content-Length {declared} does not match the {block}-byte block")
    return record


@dataclass
class ArchivedPage:
    """An HTML page as a WARC response record holds it."""

    url: str
    date: str  # WARC-Date
    content_type: str
    body: bytes


def archived_page(record) -> ArchivedPage | str:
    """The HTML page in a record, or why the record is skipped (``warcinfo``, ``request``, ``revisit``,
    ``http_404``, ``not_html``...)."""
    if record.rec_type != "response":
        return record.rec_type or "no WARC-Type"
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not url.startswith(("http://", "https://")):
        return "not_http"
    if record.http_headers is None:
        return "no_http_headers"
    status = record.http_headers.get_statuscode() or ""
    if status != "200":
        return f"http_{status or 'unknown'}"
    content_type = record.http_headers.get_header("Content-Type") or ""
    if content_type and content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return "not_html"
    try:
        body = record.content_stream().read()
    except Exception as error:  # zlib, brotli or chunking errors in the stored payload
        raise BadRecord("bad_payload", f"undecodable payload ({str(error)[:80]})") from None
    from core.discovery import classify

    if classify(body, content_type) != "html":
        return "not_html"
    return ArchivedPage(url, record.rec_headers.get_header("WARC-Date") or "", content_type, body)


def read_record_at(path: str | os.PathLike, offset: int):
    """The record in the gzip member at ``offset`` of a WARC file."""
    member = next(read_members(path, offset))
    if member.error:
        raise ValueError(f"{path}@{offset}: {member.error}")
    return parse_record(member.data)
