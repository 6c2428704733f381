"""Benchmark: core.extract against plain extractors, per source, on pages it was not tuned on.

    python tests/benchmarks/bench_extract.py [--sources dev,dragnet,...] [--workers 2]
                                            [--speed-pages 240] [--no-cache] [--per-doc OUT.jsonl]
                                            [--also "favor_precision=true;agree=false"]

Sources: the 181-page dev set (../shared/eval/extraction) and the four wide sources
(../shared/eval/extraction-wide/{dragnet,cleaneval,readability,cleanportaleval}), 2,480 pages.
Systems: our extract_page (the stored `text`: empty when the page is judged not an article; called
as `python -m core.extract` calls it, without the URL: the URL-shape rule is crawl policy, and
cleanportaleval's /tag/ pages have their posts as gold) and
the anchors run as ../shared/eval/run_extractors.py runs them: readability-lxml 0.9 (the copy in
core/vendor/readability, which the project runs too) (+html-text),
trafilatura defaults, favor_precision and favor_recall (comments off), jusText when installed.
Anchor outputs are cached in /tmp (tests/benchmarks/eval_sources.py); ours is always recomputed.
Quality runs in worker processes; speed is measured afterwards in this one process on a sample of
pages from every source, ours and trafilatura alone taking turns on each page so that load from
other processes hits both alike, with what each step of extract_page costs.
Prints one row per source and system (sh4 P / R / F1 of ../shared/eval/score_extraction.py, empty
outputs), the macro average over sources and whether the goals of issue 17 are met. --also adds rows
for ours with other ExtractOptions: an ablation, judged per source (a rule stays only when it helps on
sources it was not tuned on). Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_sources as es  # noqa: E402

MACRO_GOAL = 0.94
SPEED_GOAL = 0.6  # pages/s of the whole extraction over trafilatura-alone's, one core
PLAIN_ANCHORS = es.ANCHORS


def score_source(scorer, items, bodies):
    rows = [scorer.score_body(item["body"], bodies.get(item["id"], "")) for item in items]
    metrics = scorer.aggregate(rows, "sh4")
    metrics["empty"] = sum(1 for item in items if not (bodies.get(item["id"]) or "").strip())
    return metrics, rows


def measure_speed(items, sample: int) -> tuple[dict, dict]:
    """pages/s of ours and of trafilatura alone (defaults and favor_precision), taking turns on
    each page, and the seconds extract_page spent in each of its steps."""
    import trafilatura

    from core.extraction import extractor

    step = max(1, len(items) // sample)
    pages = [(Path(i["path"]).read_bytes(), i.get("url")) for i in items[::step]][:sample]
    systems = {
        "ours": lambda raw, url: extractor.extract_page(raw, None, content_type="text/html"),
        "trafilatura defaults": lambda raw, url: trafilatura.extract(raw, url=url),
        "trafilatura favor_precision": lambda raw, url: trafilatura.extract(
            raw, url=url, include_comments=False, favor_precision=True
        ),
    }
    for extract in systems.values():  # warm-up: imports and caches are not what we measure
        extract(*pages[0])
    seconds = dict.fromkeys(systems, 0.0)
    parts: dict[str, float] = {}
    with extractor.step_timer(parts):
        for raw, url in pages:
            for name, extract in systems.items():
                if name == "ours":
                    extractor.step_timer.resume()
                start = time.perf_counter()
                extract(raw, url)
                seconds[name] += time.perf_counter() - start
                extractor.step_timer.pause()
    speeds = {name: len(pages) / s for name, s in seconds.items()}
    return speeds, {"pages": len(pages), **parts}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", default=",".join(es.SOURCES), help="comma-separated subset")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed-pages", type=int, default=240, help="pages in the speed sample (0: skip)")
    parser.add_argument("--no-cache", action="store_true", help="run the anchors again")
    parser.add_argument("--per-doc", help="write our per-page scores to this JSONL file")
    parser.add_argument(
        "--also",
        default="",
        help="more runs of ours with other options, e.g. "
        "'favor_precision=true;agree=false' (';' between runs, ',' within one): ablations",
    )
    args = parser.parse_args(argv)
    sources = [s for s in args.sources.split(",") if s]
    unknown = [s for s in sources if s not in es.SOURCES]
    if unknown or not (es.EVAL_DIR / "score_extraction.py").is_file():
        print(f"error: unknown source {unknown} or no scorer in {es.EVAL_DIR}", file=sys.stderr)
        return 2
    scorer = es.load_scorer()
    items = {s: es.load_source(s) for s in sources}
    everything = [i for s in sources for i in items[s]]
    variants = [f"ours:{v.strip()}" for v in args.also.split(";") if v.strip()]
    systems = ["ours"] + variants + [a for a in PLAIN_ANCHORS if es.anchor_available(a)]

    results: dict[str, dict[str, dict]] = {}
    per_doc = []
    for system in systems:
        out = es.run_many(
            system, everything, workers=args.workers, cache=not system.startswith("ours") and not args.no_cache
        )
        for source in sources:
            bodies = {doc_id: body for (src, doc_id), (body, _s) in out.items() if src == source}
            metrics, rows = score_source(scorer, items[source], bodies)
            results.setdefault(source, {})[system] = metrics
            if system == "ours":
                per_doc += [{"source": source, "id": i["id"], **r["sh4"]} for i, r in zip(items[source], rows)]

    print(f"{len(everything)} pages, sh4 metric; empty = pages with no text")
    print(f"{'source':16} {'system':28} {'P':>6} {'R':>6} {'F1':>6} {'F1>=.9':>7} {'empty':>6}")
    goals_met = True
    verdicts = []
    for source in sources:
        for system in systems:
            m = results[source][system]
            print(
                f"{source:16} {system:28} {m['P']:6.3f} {m['R']:6.3f} {m['F1']:6.3f} "
                f"{m['share_F1_ge_0.9']:7.3f} {m['empty']:6d}"
            )
        anchors = [a for a in systems if not a.startswith("ours")]
        best = max(anchors, key=lambda a: results[source][a]["F1"])
        ours, anchor = results[source]["ours"], results[source][best]
        min_empty = min(results[source][a]["empty"] for a in anchors)
        f1_ok, empty_ok = ours["F1"] >= anchor["F1"], ours["empty"] <= anchor["empty"]
        goals_met &= f1_ok and empty_ok
        verdicts.append(
            f"{source:16} F1 {ours['F1']:.3f} vs best anchor {best} {anchor['F1']:.3f}: "
            f"{'MET' if f1_ok else 'NOT MET'}; empty {ours['empty']} vs its {anchor['empty']}: "
            f"{'MET' if empty_ok else 'NOT MET'} (fewest of any anchor: {min_empty})"
        )
        print()
    print("macro average over sources (F1):")
    macro = {s: sum(results[src][s]["F1"] for src in sources) / len(sources) for s in systems}
    for system in systems:
        print(f"  {system:28} {macro[system]:.3f}")
    print("goals (issue 17):")
    for line in verdicts:
        print("  " + line)
    macro_ok = macro["ours"] >= MACRO_GOAL
    goals_met &= macro_ok
    print(f"  macro F1 {macro['ours']:.3f} (goal >= {MACRO_GOAL}): {'MET' if macro_ok else 'NOT MET'}")

    if args.speed_pages:
        speeds, parts = measure_speed(everything, args.speed_pages)
        ratio = speeds["ours"] / speeds["trafilatura favor_precision"]
        ratio_defaults = speeds["ours"] / speeds["trafilatura defaults"]
        print(
            f"speed on one core, {parts.pop('pages')} pages from every source, taking turns: "
            + ", ".join(f"{name} {value:.1f} pages/s" for name, value in speeds.items())
        )
        total = sum(parts.values()) or 1.0
        print(
            "  where extract_page spends its time: "
            + ", ".join(f"{step} {share / total:.0%}" for step, share in sorted(parts.items(), key=lambda kv: -kv[1]))
        )
        speed_ok = ratio >= SPEED_GOAL
        goals_met &= speed_ok
        print(
            f"  speed {ratio:.2f}x trafilatura favor_precision alone ({ratio_defaults:.2f}x its defaults; "
            f"goal >= {SPEED_GOAL}x the faster): {'MET' if speed_ok else 'NOT MET'}"
        )
    print(f"all goals: {'MET' if goals_met else 'NOT MET'}")
    if args.per_doc:
        with open(args.per_doc, "w", encoding="utf-8") as out:
            for row in per_doc:
                out.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
