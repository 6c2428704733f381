"""Topic pre-filter benchmark: core.topic.may_be_on_topic beside reference_may_be_on_topic (its definition:
the six readings unescaped, tag-stripped and folded whole), alternating on the same pages in one run.

Reads the pages of ../shared/eval/extraction (declared UTF-8, as bench_warc.py hands them over) and
../shared/eval/extraction-wide (no charset) at run time, and for several sets of topic terms (the seeds',
one term, common words, German, Chinese) prints ms/page of each and on how many pages their answers
differ (they must not).

    python tests/benchmarks/bench_prefilter.py [--pages N]

Not collected by pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.seeds import DEFAULT_SEEDS, load_seeds  # noqa: E402
from core.topic import compile_prefilter, may_be_on_topic, reference_may_be_on_topic  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
TERM_SETS = {  # beside the seeds' terms
    "one term": ["DeepSeek"],
    "common words": ["Google", "Nvidia", "the"],
    "German": ["Künstliche Intelligenz", "Straße", "Grüne"],
    "Chinese": ["人工智能"],
}


def load() -> list[tuple[bytes, str]]:
    pages = [(path.read_bytes(), "text/html; charset=utf-8") for path in sorted((EVAL / "extraction").glob("*.html"))]
    pages += [(path.read_bytes(), "text/html") for path in sorted((EVAL / "extraction-wide").glob("*/*.html"))]
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (default: all)")
    args = parser.parse_args()
    pages = load()[: args.pages or None]
    if not pages:
        sys.exit(f"no pages under {EVAL}")
    sets = {"seeds' terms": list(load_seeds(DEFAULT_SEEDS).keywords), **TERM_SETS}
    size = sum(len(body) for body, _ in pages) / len(pages) / 1024
    print(f"{len(pages)} pages, {size:.0f} KB on average; each pre-filter run in turn on each page")
    for name, terms in sets.items():
        prefilter = compile_prefilter(terms)
        fast = slow = 0.0
        passed = differ = 0
        for body, content_type in pages:
            started = time.perf_counter()
            answer = may_be_on_topic(prefilter, body, content_type)
            middle = time.perf_counter()
            reference = reference_may_be_on_topic(prefilter, body, content_type)
            fast += middle - started
            slow += time.perf_counter() - middle
            passed += reference
            differ += answer != reference
        print(
            f"{name:<14} {', '.join(terms)[:40]:<40} reference {1000 * slow / len(pages):5.2f} ms/page, "
            f"may_be_on_topic {1000 * fast / len(pages):5.2f} ms/page ({slow / max(fast, 1e-9):.1f}x), "
            f"{passed} pages passed, answers differ on {differ}"
        )


if __name__ == "__main__":
    main()
