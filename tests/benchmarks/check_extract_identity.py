"""Check: extraction output of the working tree is byte-identical to a git revision's, and how fast each is.

    python tests/benchmarks/check_extract_identity.py [--base HEAD] [--sources dev,dragnet,...]
                                                      [--every 1] [--show 5]

Exports the base revision (`git archive`) to a temporary directory and starts two worker processes:
one imports `core` from that export, the other from this working tree. Both read the pages of
../shared/eval (tests/benchmarks/eval_sources.py, 2,480 pages over all sources) and, page by page,
taking turns (only one of them works at a time: one core, and load from other processes hits both
alike), run extract_page (every result key, called as bench_extract.py calls it) and readability_text
on the decoded page (and, where extract_page gives readability a copy of its tree, readability_text
on that copy, which must read the same). Prints every page whose output differs (0 differences is
the rule for a speed change), then ms/page of each side: extract_page, readability_text, readability
as extract_page runs it (on the copy, the copy included) and each step of extract_page (its
step_timer). Not a test: it reads the third-party pages at run time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def worker() -> None:
    """Reads page paths from stdin, one a line; writes one JSON line of outputs and timings for each."""
    import core
    from core.extraction import extractor
    from core.extraction.decode import decode_body

    print(json.dumps({"core": core.__file__}), flush=True)
    for line in sys.stdin:
        raw = Path(line.strip()).read_bytes()
        parts: dict[str, float] = {}
        with extractor.step_timer(parts):
            start = time.perf_counter()
            result = extractor.extract_page(raw, None, content_type="text/html")
            extract_seconds = time.perf_counter() - start
        html = decode_body(raw, "text/html")
        start = time.perf_counter()
        readability = extractor.readability_text(html)
        readability_seconds = time.perf_counter() - start
        # readability as extract_page runs it: on a copy of the page's tree when there is one (the
        # copy counted), else on the page
        parsed, in_extract_page = None, readability_seconds
        if hasattr(extractor, "readability_tree"):
            from core.extraction.decode import parse_page_plainly

            tree, plain = parse_page_plainly(html)
            start = time.perf_counter()
            readable = extractor.readability_tree(tree, plain)
            if readable is not None:
                parsed = extractor.readability_text(html, readable)
                in_extract_page = time.perf_counter() - start
        out = {
            "result": result,
            "readability": readability,
            "readability_parsed": parsed,
            "seconds": {
                "extract_page": extract_seconds,
                "readability_text": readability_seconds,
                "readability in extract_page": in_extract_page,
            },
            "steps": parts,
        }
        print(json.dumps(out, default=repr), flush=True)


def export(revision: str, target: Path) -> None:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def start_worker(root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        cwd=str(root),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    loaded = json.loads(process.stdout.readline())["core"]
    if not Path(loaded).resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"error: worker for {root} imported core from {loaded}")
    return process


def ask(process: subprocess.Popen, path: str) -> dict:
    process.stdin.write(path + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"error: a worker died on {path}")
    return json.loads(line)


def differences(old: dict, new: dict) -> list[str]:
    found = [
        f"result[{key!r}]"
        for key in sorted(set(old["result"]) | set(new["result"]))
        if old["result"].get(key) != new["result"].get(key)
    ]
    if old["readability"] != new["readability"]:
        found.append("readability_text")
    for side in (old, new):
        if side.get("readability_parsed") not in (None, old["readability"]):
            found.append("readability_text(parsed)")
    return found


def first_difference(a, b) -> str:
    a, b = str(a), str(b)
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at char {at}: {a[max(0, at - 40) : at + 60]!r} vs {b[max(0, at - 40) : at + 60]!r}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="git revision to compare the working tree with")
    parser.add_argument("--sources", default="", help="comma-separated subset of eval_sources.SOURCES")
    parser.add_argument("--every", type=int, default=1, help="take every n-th page (1: all)")
    parser.add_argument("--show", type=int, default=5, help="differing pages to show in detail")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0

    sys.path.insert(0, str(HERE))
    import eval_sources as es

    sources = [s for s in args.sources.split(",") if s] or list(es.SOURCES)
    pages = [item for source in sources for item in es.load_source(source)][:: max(1, args.every)]
    with tempfile.TemporaryDirectory(prefix="check-identity-") as tmp:
        base_root = Path(tmp)
        export(args.base, base_root)
        workers = {"base": start_worker(base_root), "tree": start_worker(REPO)}
        seconds = {side: {} for side in workers}
        steps = {side: {} for side in workers}
        differing = []
        plain = 0  # pages readability read from extract_page's tree (compared too)
        try:
            for n, item in enumerate(pages):
                order = ("base", "tree") if n % 2 == 0 else ("tree", "base")
                out = {side: ask(workers[side], item["path"]) for side in order}
                for side in workers:
                    for key, value in out[side]["seconds"].items():
                        seconds[side][key] = seconds[side].get(key, 0.0) + value
                    for key, value in out[side]["steps"].items():
                        steps[side][key] = steps[side].get(key, 0.0) + value
                found = differences(out["base"], out["tree"])
                plain += out["tree"].get("readability_parsed") is not None
                if found:
                    differing.append((item, found, out))
        finally:
            for process in workers.values():
                process.stdin.close()
                process.wait()

    print(f"{len(pages)} pages ({', '.join(sources)}), {args.base} vs the working tree: {len(differing)} differ")
    print(f"  readability_text on a copy of extract_page's tree (as on the page) compared on {plain} of them")
    for item, found, out in differing[: args.show]:
        print(f"  {item['source']}/{item['id']}: {', '.join(found)}")
        for what in found:
            if what == "readability_text":
                old, new = out["base"]["readability"], out["tree"]["readability"]
            elif what == "readability_text(parsed)":
                old, new = out["base"]["readability"], out["tree"]["readability_parsed"]
            else:
                key = what[len("result['") : -2]
                old, new = out["base"]["result"].get(key), out["tree"]["result"].get(key)
            print(f"    {what} {first_difference(old, new)}")
    if len(differing) > args.show:
        print(
            f"  ... and {len(differing) - args.show} more: "
            + ", ".join(f"{i['source']}/{i['id']}" for i, _f, _o in differing[args.show :][:30])
        )
    count = len(pages) or 1
    print("ms/page on one core, taking turns page by page (base -> working tree):")
    for key in ("extract_page", "readability_text", "readability in extract_page"):
        old, new = seconds["base"].get(key, 0.0) / count * 1000, seconds["tree"].get(key, 0.0) / count * 1000
        print(f"  {key:28} {old:7.2f} -> {new:7.2f}  ({old / new if new else 0:.2f}x)")
    print("  extract_page's steps:")
    for key in sorted(set(steps["base"]) | set(steps["tree"]), key=lambda k: -steps["base"].get(k, 0.0)):
        old, new = steps["base"].get(key, 0.0) / count * 1000, steps["tree"].get(key, 0.0) / count * 1000
        print(f"    {key:26} {old:7.2f} -> {new:7.2f}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
