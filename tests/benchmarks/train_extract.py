"""Train the block vote of core/extraction/combine.py and judge it leave-one-source-out.

    python tests/benchmarks/train_extract.py [--extractors readability,recall] [--workers 2]
                                             [--write] [--refresh]

Reads the evaluation sets in ../shared/eval at run time (never copied into the repository). For
every page it runs our extraction up to the vote, with the other extractors' text taken from the
benchmark's cache in /tmp (tests/benchmarks/eval_sources.py runs them when missing), and labels
each block by how much of it the gold text holds. Then, for each source in turn, it fits the
logistic regression on the other sources and scores the held-out source's pages (the kept blocks'
text, before line clean-up, against our text before clean-up and the anchors): a feature or
extractor stays only if it helps on the sources it was not fitted on. --write fits on all sources
and writes core/extraction/combine_model.json. Needs numpy only.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_sources as es  # noqa: E402

ALL_EXTRACTORS = ("readability", "precision", "recall", "justext")
CACHE_NAMES = {
    "readability": "readability-lxml",
    "precision": "trafilatura favor_precision",
    "recall": "trafilatura favor_recall",
    "justext": "jusText",
}
FEATURES_CACHE = es.CACHE_DIR / "block_features.pickle"
LABEL_SHARE = 0.5  # a block is article text when the gold holds at least this share of its shingles
VERSION = "1"


def shingles(tokens, n=4):
    if len(tokens) < n:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def page_rows(task):
    """Blocks of one page: feature names, rows, labels, token counts and texts."""
    item, outputs = task
    from core.extraction import combine, extractor

    scorer_tokens = es.load_scorer().tokens
    model = combine.BlockModel([], [], 0.0, [], [], extractors=("ours",) + ALL_EXTRACTORS)
    collect = {"outputs": outputs, "model": model}
    result = extractor.empty_result(item.get("url"))
    try:
        extractor._extract_into(
            result,
            Path(item["path"]).read_bytes(),
            item.get("url"),
            "text/html",
            frozenset(),
            extractor.ExtractOptions(),
            collect,
        )
    except Exception as error:
        print(f"  {item['source']}/{item['id']}: {type(error).__name__}: {error}", file=sys.stderr)
    if "rows" not in collect:
        return item["source"], item["id"], None
    gold = set(shingles(scorer_tokens(item["body"])))
    labels, sizes = [], []
    for text in collect["texts"]:
        grams = shingles(scorer_tokens(text))
        labels.append(sum(1 for g in grams if g in gold) / len(grams) if grams else 0.0)
        sizes.append(len(scorer_tokens(text)))
    return (
        item["source"],
        item["id"],
        {
            "names": collect["names"],
            "rows": collect["rows"],
            "labels": labels,
            "sizes": sizes,
            "texts": collect["texts"],
            "ours": collect["ours"],
        },
    )


def gather(workers: int, refresh: bool) -> tuple[list[dict], dict]:
    items = [i for s in es.SOURCES for i in es.load_source(s)]
    if FEATURES_CACHE.is_file() and not refresh:
        pages = pickle.loads(FEATURES_CACHE.read_bytes())
    else:
        anchors = {name: es.run_many(CACHE_NAMES[name], items, workers=workers) for name in ALL_EXTRACTORS}
        tasks = [
            (item, {name: anchors[name][item["source"], item["id"]][0] for name in ALL_EXTRACTORS}) for item in items
        ]
        print(f"  block features of {len(tasks)} pages ...", file=sys.stderr, flush=True)
        with Pool(workers) as pool:
            done = {(s, i): page for s, i, page in pool.imap_unordered(page_rows, tasks, chunksize=4)}
        pages = []
        for item in items:
            page = done.get((item["source"], item["id"]))
            pages.append({"source": item["source"], "id": item["id"], "body": item["body"], "page": page})
        FEATURES_CACHE.write_bytes(pickle.dumps(pages))
    anchor_bodies = {
        name: es.run_many(name, items, workers=workers, progress=False)
        for name in es.ANCHORS
        if es.anchor_available(name)
    }
    return pages, anchor_bodies


def columns(names: list[str], extractors: tuple[str, ...], drop: tuple[str, ...]) -> list[str]:
    used = set(extractors) | {"ours"}
    keep = []
    for name in names:
        kind, _, extractor = name.partition("_")
        if kind in ("cov", "near") and extractor not in used and extractor != "link_density":
            continue
        if name in drop:
            continue
        keep.append(name)
    return keep


def matrix(pages, features):
    xs, ys, ws, owners = [], [], [], []
    for n, p in enumerate(pages):
        page = p["page"]
        if not page or not page["rows"]:
            continue
        index = [page["names"].index(f) for f in features]
        rows = np.asarray(page["rows"], dtype=float)[:, index]
        xs.append(rows)
        ys.append(np.asarray(page["labels"]) >= LABEL_SHARE)
        sizes = np.asarray(page["sizes"], dtype=float)
        ws.append(sizes / max(1.0, sizes.sum()))  # every page weighs the same, its blocks by their words
        owners.append(np.full(len(rows), n))
    return np.vstack(xs), np.concatenate(ys).astype(float), np.concatenate(ws), np.concatenate(owners)


def fit_logistic(x, y, w, l2=1.0, iterations=25):
    """Weighted L2 logistic regression by Newton's method on standardised features."""
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w * (p - y)) + l2 * 1e-3 * np.r_[beta[:-1], 0]
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + l2 * 1e-3 * np.diag(np.r_[np.ones(len(beta) - 1), 0])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta[:-1], beta[-1], mean, scale


def page_texts(pages, features, model_params, threshold):
    weights, bias, mean, scale = model_params
    out = {}
    for p in pages:
        page = p["page"]
        if not page or not page["rows"]:
            out[p["source"], p["id"]] = (page or {}).get("ours", "")
            continue
        index = [page["names"].index(f) for f in features]
        rows = np.asarray(page["rows"], dtype=float)[:, index]
        score = 1 / (1 + np.exp(-np.clip(((rows - mean) / scale) @ weights + bias, -30, 30)))
        kept = [t for t, s in zip(page["texts"], score) if s >= threshold]
        out[p["source"], p["id"]] = "\n".join(kept)
    return out


_GOLD_BAGS: dict = {}


def f1_of(scorer, pages, texts):
    """The scorer's sh4 figures, with each gold text's shingle bag made once."""
    rows = []
    for p in pages:
        key = p["source"], p["id"]
        if key not in _GOLD_BAGS:
            _GOLD_BAGS[key] = scorer.shingle_bag(scorer.tokens(p["body"]), 4)
        gold, pred = _GOLD_BAGS[key], scorer.shingle_bag(scorer.tokens(texts.get(key, "")), 4)
        tp, fp, fn = scorer.overlap_counts(gold, pred)
        precision, recall = scorer.doc_pr(tp, fp, fn)
        rows.append(
            {"sh4": {"p": precision, "r": recall, "f1": scorer.harmonic(precision or 0.0, recall or 0.0), "exact": 0.0}}
        )
    m = scorer.aggregate(rows, "sh4")
    m["empty"] = sum(1 for p in pages if not texts.get((p["source"], p["id"]), "").strip())
    return m


def tune_threshold(scorer, train, features, params, grid=(0.3, 0.4, 0.5, 0.6, 0.7)):
    """The threshold with the best macro F1 over the training sources (a sample of each)."""
    best, best_f1 = 0.5, -1.0
    by_source: dict[str, list] = {}
    for p in train:
        by_source.setdefault(p["source"], []).append(p)
    sample = {s: ps[:: max(1, len(ps) // 150)] for s, ps in by_source.items()}
    for threshold in grid:
        macro = sum(
            f1_of(scorer, ps, page_texts(ps, features, params, threshold))["F1"] for ps in sample.values()
        ) / len(sample)
        if macro > best_f1:
            best, best_f1 = threshold, macro
    return best


SWITCH_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def report_switch(scorer, pages, anchors) -> None:
    """The page-level rule extract_page uses (readability-lxml's text when ours is shorter than a
    share of it), per source for each share, and the share chosen leave-one-source-out."""
    readability = {k: v[0] for k, v in anchors["readability-lxml"].items()}
    ours = {(p["source"], p["id"]): (p["page"] or {}).get("ours", "") for p in pages}
    table = {}
    for share in SWITCH_GRID:
        texts = {
            k: readability.get(k, "") if len(o.strip()) < share * len(readability.get(k, "")) else o
            for k, o in ours.items()
        }
        table[share] = {s: f1_of(scorer, [p for p in pages if p["source"] == s], texts)["F1"] for s in es.SOURCES}
    print("page switch to readability-lxml when our text < share x its text (F1 per source, before clean-up):")
    print(f"{'share':>6} " + " ".join(f"{s:>15}" for s in es.SOURCES) + "   macro")
    for share, row in table.items():
        print(
            f"{share:6.1f} "
            + " ".join(f"{row[s]:15.3f}" for s in es.SOURCES)
            + f"   {sum(row.values()) / len(row):.3f}"
        )
    held = {s: max(SWITCH_GRID, key=lambda k: sum(v for src, v in table[k].items() if src != s)) for s in es.SOURCES}
    print(
        "chosen on the other sources: "
        + ", ".join(f"{s} {k} -> {table[k][s]:.3f}" for s, k in held.items())
        + f"; macro {sum(table[k][s] for s, k in held.items()) / len(held):.3f}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--extractors",
        default=",".join(ALL_EXTRACTORS),
        help="other extractors whose votes are features (comma-separated, may be empty)",
    )
    parser.add_argument("--drop", default="", help="features left out (comma-separated)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--refresh", action="store_true", help="compute the block features again")
    parser.add_argument("--write", action="store_true", help="fit on every source and write the model file")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument(
        "--tune", action="store_true", help="choose the threshold on the training sources (macro F1), not --threshold"
    )
    args = parser.parse_args(argv)
    extractors = tuple(e for e in args.extractors.split(",") if e)
    drop = tuple(d for d in args.drop.split(",") if d)
    scorer = es.load_scorer()
    pages, anchors = gather(args.workers, args.refresh)
    from core.extraction.combine import with_derived

    for p in pages:
        if p["page"] and p["page"]["rows"]:
            p["page"]["names"], p["page"]["rows"] = with_derived(p["page"]["names"], p["page"]["rows"])
    names = next(p["page"]["names"] for p in pages if p["page"] and p["page"]["rows"])
    features = columns(names, extractors, drop)
    print(f"extractors voting: ours + {', '.join(extractors) or 'none'}; {len(features)} features")
    macro_model, macro_ours = [], []
    print(f"{'held-out source':16} {'vote F1':>8} {'P':>6} {'R':>6} {'empty':>6} | {'ours F1':>8} | best anchor")
    for held in es.SOURCES:
        train = [p for p in pages if p["source"] != held]
        test = [p for p in pages if p["source"] == held]
        x, y, w, _owners = matrix(train, features)
        params = fit_logistic(x, y, w)
        threshold = args.threshold if not args.tune else tune_threshold(scorer, train, features, params)
        voted = f1_of(scorer, test, page_texts(test, features, params, threshold))
        ours = f1_of(scorer, test, {(p["source"], p["id"]): (p["page"] or {}).get("ours", "") for p in test})
        anchor_f1 = {a: f1_of(scorer, test, {k: v[0] for k, v in anchors[a].items()})["F1"] for a in anchors}
        best = max(anchor_f1, key=anchor_f1.get)
        best_f1 = anchor_f1[best]
        macro_model.append(voted["F1"])
        macro_ours.append(ours["F1"])
        print(
            f"{held:16} t={threshold:.2f} {voted['F1']:8.3f} {voted['P']:6.3f} {voted['R']:6.3f} {voted['empty']:6d} | "
            f"{ours['F1']:8.3f} | {best} {best_f1:.3f}"
        )
    print(f"{'macro':16} {sum(macro_model) / len(macro_model):8.3f} {'':22}| {sum(macro_ours) / len(macro_ours):8.3f}")
    report_switch(scorer, pages, anchors)
    if args.write:
        x, y, w, _owners = matrix(pages, features)
        weights, bias, mean, scale = fit_logistic(x, y, w)
        from core.extraction.combine import MODEL_PATH, BlockModel

        model = BlockModel(
            features,
            list(map(float, weights)),
            float(bias),
            list(map(float, mean)),
            list(map(float, scale)),
            args.threshold,
            ("ours",) + extractors,
            VERSION,
        )
        MODEL_PATH.write_text(model.to_json() + "\n", "utf-8")
        print(f"wrote {MODEL_PATH.relative_to(REPO)}")
        for name, weight in sorted(zip(features, weights), key=lambda kv: -abs(kv[1])):
            print(f"  {name:22} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
