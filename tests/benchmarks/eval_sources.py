"""Evaluation pages and reference extractors shared by bench_extract.py and train_extract.py.

Reads the third-party sets in ../shared/eval at run time (never copied into the repository): the
181-page dev set and the four wide sources. Runs the plain reference extractors ("anchors") the
way ../shared/eval/run_extractors.py runs them, in worker processes, and caches their output in
/tmp keyed by source, page and a hash of its bytes, so a second run costs nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from functools import lru_cache
from importlib import metadata
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EVAL_DIR = REPO.parent / "shared" / "eval"
CACHE_DIR = Path(os.environ.get("EXTRACT_EVAL_CACHE", "/tmp/deepseek_news_extract_eval"))
SOURCES = {
    "dev": "extraction",
    "dragnet": "extraction-wide/dragnet",
    "cleaneval": "extraction-wide/cleaneval",
    "readability": "extraction-wide/readability",
    "cleanportaleval": "extraction-wide/cleanportaleval",
}
ANCHORS = (
    "readability-lxml",
    "trafilatura defaults",
    "trafilatura favor_precision",
    "trafilatura favor_recall",
    "jusText",
)


def load_scorer(eval_dir: Path = EVAL_DIR):
    spec = importlib.util.spec_from_file_location("score_extraction", eval_dir / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_source(name: str, eval_dir: Path = EVAL_DIR) -> list[dict]:
    """Ground truth of one source: dicts with id, url, body and path (of the page's HTML)."""
    data_dir = eval_dir / SOURCES[name]
    items = []
    for line in (data_dir / "ground_truth.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            item["path"] = str(data_dir / f"{item['id']}.html")
            item["source"] = name
            items.append(item)
    return items


# --- the anchors, as ../shared/eval/run_extractors.py runs them ------------------------------------


def _run_extractors():
    spec = importlib.util.spec_from_file_location("run_extractors", EVAL_DIR / "run_extractors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ANCHOR_KEYS = {
    "readability-lxml": "readability",
    "trafilatura defaults": "trafilatura",
    "trafilatura favor_precision": "trafilatura-precision",
    "trafilatura favor_recall": "trafilatura-recall",
    "jusText": "justext",
}


def anchor_available(name: str) -> bool:
    modules = {"readability-lxml": ("html_text",), "jusText": ("justext",)}
    return all(importlib.util.find_spec(m) is not None for m in modules.get(name, ("trafilatura",)))


_EXTRACTORS: dict = {}


def ours_options(name: str):
    """ExtractOptions of "ours" or of "ours:favor_precision=true,agree=false" (for ablations)."""
    import dataclasses

    from core.extraction.extractor import DEFAULT_OPTIONS

    changes = {}
    for pair in filter(None, name.partition(":")[2].split(",")):
        key, _, value = pair.partition("=")
        field = {f.name: f for f in dataclasses.fields(DEFAULT_OPTIONS)}[key.strip()]
        changes[field.name] = (
            value.strip().lower() in ("1", "true", "yes") if field.type in (bool, "bool") else int(value)
        )
    return dataclasses.replace(DEFAULT_OPTIONS, **changes)


def _extractor(name: str):
    if name not in _EXTRACTORS:
        if name.startswith("ours"):
            from core.extract import extract_page

            options = ours_options(name)

            def ours(raw, url):
                return extract_page(raw, None, content_type="text/html", options=options)["text"] or ""

            _EXTRACTORS[name] = ours
        else:
            if name == "readability-lxml":  # the release, as the project runs it (core/vendor/readability)
                sys.modules["readability"] = importlib.import_module("core.vendor.readability")
            _EXTRACTORS[name] = _run_extractors().make_extractor(ANCHOR_KEYS[name])
    return _EXTRACTORS[name]


def run_one(task):
    """(extractor, item) -> (source, id, body, seconds); a crash counts as an empty output."""
    name, item = task
    raw = Path(item["path"]).read_bytes()
    extract = _extractor(name)
    start = time.perf_counter()
    try:
        body = extract(raw, item.get("url")) or ""
    except Exception:
        body = ""
    return item["source"], item["id"], body, time.perf_counter() - start


ANCHOR_DISTRIBUTIONS = {"readability-lxml": ("html-text",), "jusText": ("jusText",)}


@lru_cache(maxsize=None)
def library_versions(name: str) -> str:
    """Versions of the packages an anchor runs on: an upgrade or downgrade makes its cache stale
    (readability-lxml 0.9 and 0.8.4.1 give different text)."""
    versions = []
    if name == "readability-lxml":
        from core.vendor import readability

        versions.append(f"readability-lxml={readability.__version__}")
    for distribution in ANCHOR_DISTRIBUTIONS.get(name, ("trafilatura",)) if name != "ours" else ():
        try:
            versions.append(f"{distribution}={metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{distribution}=none")
    return ",".join(versions)


def page_key(item: dict, name: str = "") -> str:
    """The page file as it is (its size and modification time: the eval sets are read-only) and the
    versions of the extractor's packages."""
    stat = os.stat(item["path"])
    return f"{stat.st_size}-{stat.st_mtime_ns}-{library_versions(name)}"


def cache_path(name: str, source: str) -> Path:
    return CACHE_DIR / f"{name.replace(' ', '_')}--{source}.json"


def run_many(
    name: str, items: list[dict], workers: int = 2, cache: bool = True, progress: bool = True
) -> dict[tuple[str, str], tuple[str, float]]:
    """{(source, id): (body, seconds)} for every item, from the cache where it holds the page."""
    out: dict[tuple[str, str], tuple[str, float]] = {}
    todo = []
    caches: dict[str, dict] = {}
    for item in items:
        if cache:
            if item["source"] not in caches:
                caches[item["source"]] = _read_cache(name, item["source"])
            entries = caches[item["source"]]
            hit = entries.get(item["id"])
            if hit and hit["key"] == page_key(item, name):
                out[item["source"], item["id"]] = (hit["body"], hit["seconds"])
                continue
        todo.append(item)
    if todo:
        if progress:
            print(f"  running {name} on {len(todo)} pages ...", file=sys.stderr, flush=True)
        tasks = [(name, item) for item in todo]
        if workers > 1:
            with Pool(workers) as pool:
                results = list(pool.imap_unordered(run_one, tasks, chunksize=4))
        else:
            results = [run_one(task) for task in tasks]
        for source, doc_id, body, seconds in results:
            out[source, doc_id] = (body, seconds)
        if cache:
            by_id = {(i["source"], i["id"]): i for i in todo}
            for (source, doc_id), (body, seconds) in out.items():
                if (source, doc_id) in by_id:
                    caches.setdefault(source, {})[doc_id] = {
                        "key": page_key(by_id[source, doc_id], name),
                        "body": body,
                        "seconds": seconds,
                    }
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            for source, entries in caches.items():
                cache_path(name, source).write_text(json.dumps(entries), "utf-8")
    return out


def _read_cache(name: str, source: str) -> dict:
    path = cache_path(name, source)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError:
        return {}
