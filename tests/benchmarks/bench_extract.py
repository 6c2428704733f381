"""Benchmark: crawler.extract against trafilatura on the shared extraction dev set.

    python tests/benchmarks/bench_extract.py [--data ../shared/eval/extraction] [--only-ours]
                                            [--per-doc OUT.jsonl] [--predictions OUT.jsonl]

Runs, in one process and on the same pages (bytes already in memory; each page through every
extractor in turn, so load from other processes hits all alike), our extract_page and
trafilatura's extract() with favor_precision (comments off) and with its defaults — and
readability-lxml when it and html-text are installed —, scores each with
../shared/eval/score_extraction.py (sh4 metric), and prints
P / R / F1, the share of pages at per-page F1 >= 0.9, empty outputs (and empties where an
anchor extracted something), pages/s and our speed as a ratio of each anchor's. Not a test:
it prints numbers and checks them against the goals of issue 3.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

GOALS = {"F1": 0.970, "P": 0.965, "share_F1_ge_0.9": 0.92, "speed_ratio": 0.8}


def load_scorer(eval_dir: Path):
    spec = importlib.util.spec_from_file_location("score_extraction", eval_dir / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(data_dir: Path):
    truth = [json.loads(line) for line in (data_dir / "ground_truth.jsonl").read_text("utf-8").splitlines()
             if line.strip()]
    pages = [(item["id"], item.get("url"), (data_dir / f"{item['id']}.html").read_bytes()) for item in truth]
    return truth, pages


def extractors():
    import trafilatura

    from crawler.extract import extract_page

    def ours(raw, url):
        return extract_page(raw, url, content_type="text/html")["text"] or ""

    def precision(raw, url):
        return trafilatura.extract(raw, url=url, include_comments=False, favor_precision=True) or ""

    def defaults(raw, url):
        return trafilatura.extract(raw, url=url) or ""

    names = {"ours": ours, "trafilatura favor_precision": precision, "trafilatura defaults": defaults}
    try:  # the next-best anchor of issue 3, when installed (as ../shared/eval/run_extractors.py runs it)
        import html_text
        from readability import Document

        def readability(raw, url):
            html = raw.decode("utf-8", errors="replace")
            return html_text.extract_text(Document(html, url=url).summary(html_partial=True))

        names["readability-lxml"] = readability
    except ImportError:
        pass
    return names


def run_interleaved(names, pages):
    """Each page goes through every extractor in turn, so a busy machine slows all alike."""
    bodies = {name: {} for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for doc_id, url, raw in pages:
        for name, extract in names.items():
            start = time.perf_counter()
            bodies[name][doc_id] = extract(raw, url)
            seconds[name] += time.perf_counter() - start
    speeds = {name: len(pages) / seconds[name] if seconds[name] else 0.0 for name in names}
    return bodies, speeds


def score(scorer, truth, bodies):
    rows = [scorer.score_body(item["body"], bodies.get(item["id"], "")) for item in truth]
    return scorer.aggregate(rows, "sh4"), rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "eval" / "extraction"))
    parser.add_argument("--only-ours", action="store_true", help="skip the anchors (quick look)")
    parser.add_argument("--per-doc", help="write our per-page scores to this JSONL file")
    parser.add_argument("--predictions", help="write our predictions to this JSONL file")
    args = parser.parse_args(argv)
    data_dir = Path(args.data)
    if not (data_dir / "ground_truth.jsonl").is_file():
        print(f"error: no ground_truth.jsonl in {data_dir}", file=sys.stderr)
        return 2
    scorer = load_scorer(data_dir.parent)
    truth, pages = load_pages(data_dir)
    names = extractors()
    if args.only_ours:
        names = {"ours": names["ours"]}
    # warm-up: imports and caches are not what we measure
    for extract in names.values():
        extract(pages[0][2], pages[0][1])

    results = {}
    all_bodies, speeds = run_interleaved(names, pages)
    for name in names:
        metrics, rows = score(scorer, truth, all_bodies[name])
        results[name] = (metrics, speeds[name], all_bodies[name], rows)

    our_bodies = results["ours"][2]
    print(f"{len(pages)} pages from {data_dir}")
    print(f"{'extractor':30} {'P':>6} {'R':>6} {'F1':>6} {'F1>=.9':>7} {'empty':>6} {'pages/s':>8}")
    for name, (metrics, speed, bodies, _rows) in results.items():
        empty = sum(1 for b in bodies.values() if not (b or "").strip())
        print(f"{name:30} {metrics['P']:6.3f} {metrics['R']:6.3f} {metrics['F1']:6.3f} "
              f"{metrics['share_F1_ge_0.9']:7.3f} {empty:6d} {speed:8.1f}")
    ours, our_speed = results["ours"][0], results["ours"][1]
    checks = {"F1": ours["F1"], "P": ours["P"], "share_F1_ge_0.9": ours["share_F1_ge_0.9"]}
    anchor_names = [n for n in results if n != "ours"]
    for name in anchor_names:
        _m, speed, bodies, _r = results[name]
        ratio = our_speed / speed if speed else 0.0
        lost = sum(1 for k, b in bodies.items() if (b or "").strip() and not (our_bodies.get(k) or "").strip())
        print(f"speed vs {name}: {ratio:.2f}x; pages empty for us but not for it: {lost}")
        if name == "trafilatura favor_precision":
            checks["speed_ratio"] = ratio
        checks["no_lost_pages"] = checks.get("no_lost_pages", True) and lost == 0
    for goal, value in checks.items():
        target = GOALS.get(goal)
        met = value if target is None else value >= target
        shown = value if isinstance(value, bool) else f"{value:.3f} (goal >= {target})"
        print(f"goal {goal:18} {shown} {'MET' if met else 'NOT MET'}")

    if args.per_doc:
        with open(args.per_doc, "w", encoding="utf-8") as out:
            for item, row in zip(truth, results["ours"][3]):
                out.write(json.dumps({"id": item["id"], **row}) + "\n")
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as out:
            for item in truth:
                out.write(json.dumps({"id": item["id"], "body": our_bodies.get(item["id"])}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
