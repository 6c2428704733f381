"""Command line: python -m dedup cluster DOCS.jsonl

Reads JSON lines {"id", "text", "language"?} (as deepseek-news export writes them; "lang" is read
too) in order, as a crawl would meet them, and prints one line per input document:
{"id", "cluster", "kind", "similarity"}. "cluster" is the id of the kept document of its story (the
first one met); "kind" is "kept" for that document, else how it matched the kept one ("exact",
"near" or "translation"), with the similarity the crawl would record (null for a kept document).
It runs the crawler's own decision, Deduplicator.find then add for kept documents, with the default
DedupConfig unless -s DEDUP_NAME=value overrides a setting (as scrapy crawl -s would).
--cross-language also joins a document to the kept article it translates.

A line that is not a JSON object with an "id" is reported on stderr as FILE:LINE: reason and
skipped; the run goes on.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import NamedTuple

import numpy as np

from dedup.config import DedupConfig
from dedup.deduplicator import Deduplicator


def read_docs(path: str, errors=sys.stderr):
    """Yield (id, text, lang) per valid line; report bad lines on ``errors`` and skip them."""
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{number}: invalid JSON ({exc.msg}), line skipped", file=errors)
                continue
            if not isinstance(obj, dict) or obj.get("id") is None:
                print(f'{path}:{number}: no "id", line skipped', file=errors)
                continue
            text = obj.get("text")
            if not isinstance(text, str):
                text = ""
            lang = obj.get("language", obj.get("lang"))
            yield str(obj["id"]), text, lang if isinstance(lang, str) else None


class Assignment(NamedTuple):
    """Where ``cluster`` put one document."""

    id: str
    cluster: str
    kind: str  # "kept", "exact", "near" or "translation"
    similarity: float | None


def cluster(docs, config: DedupConfig, cross_language: bool = False):
    """Yield an ``Assignment`` for each (id, text, lang) document, deciding as the crawler does.

    Exact and near duplicates join the cluster of the kept article they match and are not
    indexed. With ``cross_language`` a translation joins the cluster of the article it translates
    and is indexed for same-language matching only (its anchors left out), so that a second
    machine translation of it joins the same cluster, while translation links are only ever made
    to a cluster's first article: chains of links would multiply any wrong one.
    """
    dedup = Deduplicator(config)
    root: dict[str, str] = {}
    for doc_id, text, lang in docs:
        fp = dedup.fingerprint(text, lang)
        match = dedup.find(fp)
        if match is None and cross_language:
            match = dedup.find_translation(fp)
            if match is not None:
                root[doc_id] = root.get(match.key, match.key)
                dedup.add(doc_id, dataclasses.replace(fp, anchors=np.empty(0, np.uint64)))
                yield Assignment(doc_id, root[doc_id], match.kind, match.similarity)
                continue
        if match is not None:
            yield Assignment(doc_id, root.get(match.key, match.key), match.kind, match.similarity)
        else:
            dedup.add(doc_id, fp)
            yield Assignment(doc_id, doc_id, "kept", None)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("DEDUP_"):
            raise ValueError(f"-s expects DEDUP_NAME=value, got {pair!r}")
        out[name] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dedup", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("cluster", help='cluster a JSONL corpus; prints {"id","cluster","kind","similarity"} per line')
    p.add_argument("docs", help='JSONL file ({"id","text","lang"?} per line) or - for stdin')
    p.add_argument("--cross-language", action="store_true", help="also join translations into another language")
    p.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="DEDUP_NAME=VALUE",
        help="override a setting, e.g. -s DEDUP_SEED=2",
    )
    args = parser.parse_args(argv)
    try:
        config = DedupConfig.from_settings(parse_settings(args.settings))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        out = sys.stdout
        for assigned in cluster(read_docs(args.docs), config, args.cross_language):
            out.write(json.dumps(assigned._asdict(), ensure_ascii=False) + "\n")
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
