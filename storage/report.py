"""``deepseek-news report``: one self-contained HTML page about a corpus, to look at rather than read.

Articles per day by language (a stacked bar chart, drawn in an inline SVG by inline JavaScript from
the numbers embedded in the page, which also lists them in a table), the top sites, duplicates removed
by kind, translation links and crawl runs. No external asset: styles, script and data are in the file.
The figures are ``Corpus.stats()``'s and storage/runstats.py's, as ``deepseek-news stats`` prints them.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, datetime, timedelta, timezone
from html import escape
from pathlib import Path

from storage.corpus import CorpusError
from storage.query import Corpus

TOP_SITES = 15
PALETTE = [
    "#2f6db5",
    "#e07b26",
    "#3a9b4a",
    "#c33c3c",
    "#8556b8",
    "#8c5a43",
    "#d35fae",
    "#6f7378",
    "#a9a62a",
    "#1ea4b8",
]  # one colour per language, most articles first

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a; margin: 0; background: #f4f5f7; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 12px; }
.sub { color: #5d6670; margin: 0 0 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 20px; }
.card, section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.card { padding: 12px 16px; } .card b { display: block; font-size: 24px; } .card span { color: #5d6670; }
section { padding: 16px 20px; margin-bottom: 20px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; margin-bottom: 20px; } .two section { margin: 0; }
@media (max-width: 800px) { .two { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; } td, th { padding: 4px 8px; text-align: left; vertical-align: top; }
th { color: #5d6670; font-weight: 600; border-bottom: 1px solid #dde1e5; } tr + tr td { border-top: 1px solid #eef0f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.meter { height: 12px; background: #2f6db5; border-radius: 2px; min-width: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 8px 0 0; color: #3d454d; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
#chart svg { width: 100%; height: auto; display: block; } #chart text { font: 11px system-ui, sans-serif; fill: #5d6670; }
details { margin-top: 10px; color: #3d454d; } a { color: #2457a0; text-decoration: none; } a:hover { text-decoration: underline; }
.muted { color: #8a939c; }
"""

CHART_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("per-day").textContent);
  var box = document.getElementById("chart"), ns = "http://www.w3.org/2000/svg";
  if (!data.days.length) { box.textContent = "No article has a publication date."; return; }
  var width = 1000, height = 300, left = 40, right = 10, top = 10, bottom = 40;
  var totals = data.days.map(function (_, i) {
    return data.series.reduce(function (sum, s) { return sum + s.counts[i]; }, 0); });
  var most = Math.max.apply(null, totals.concat([1]));
  var step = (width - left - right) / data.days.length, barWidth = Math.max(step * 0.8, 1);
  var scale = (height - top - bottom) / most;
  var svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Articles per day by language");
  function add(name, attributes, text) {
    var node = document.createElementNS(ns, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node); return node;
  }
  [0, Math.ceil(most / 2), most].filter(function (tick, i, all) { return all.indexOf(tick) === i; })
    .forEach(function (tick) {
    var y = height - bottom - tick * scale;
    add("line", {x1: left, x2: width - right, y1: y, y2: y, stroke: "#e3e6e9"});
    add("text", {x: left - 6, y: y + 4, "text-anchor": "end"}, String(tick));
  });
  var every = Math.ceil(data.days.length / 12);
  data.days.forEach(function (day, i) {
    var x = left + i * step + (step - barWidth) / 2, base = height - bottom;
    data.series.forEach(function (s) {
      var n = s.counts[i]; if (!n) return;
      var bar = add("rect", {x: x, y: base - n * scale, width: barWidth, height: n * scale, fill: s.color,
                             "class": "day-bar", "data-day": day, "data-language": s.language});
      var tip = document.createElementNS(ns, "title");
      tip.textContent = day + ": " + n + " " + s.language; bar.appendChild(tip);
      base -= n * scale;
    });
    if (i % every === 0) add("text", {x: x + barWidth / 2, y: height - bottom + 16, "text-anchor": "middle"}, day.slice(5));
  });
  add("text", {x: left, y: height - 6}, data.days[0].slice(0, 4));
  box.appendChild(svg);
})();
"""


def per_day_by_language(corpus: Corpus) -> dict:
    """Every day from the first to the last publication day (empty days included), and for each language
    (most articles first) its count per day. Articles without a date are counted apart."""
    rows = corpus.conn.execute(
        "SELECT substr(published, 1, 10) AS day, coalesce(language, '?') AS language, count(*) AS n "
        "FROM articles WHERE published IS NOT NULL AND published != '' GROUP BY day, language"
    ).fetchall()
    undated = corpus.conn.execute("SELECT count(*) FROM articles WHERE published IS NULL OR published = ''").fetchone()[
        0
    ]
    counts: dict[tuple[str, str], int] = {}
    for day, language, number in rows:
        try:
            date.fromisoformat(day)
        except ValueError:  # a date the page gave in a form we could not read
            undated += number
            continue
        counts[(day, language)] = number
    if not counts:
        return {"days": [], "series": [], "undated": undated}
    first, last = (date.fromisoformat(day) for day in (min(d for d, _ in counts), max(d for d, _ in counts)))
    days = [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]
    totals: dict[str, int] = {}
    for (_, language), number in counts.items():
        totals[language] = totals.get(language, 0) + number
    languages = sorted(totals, key=lambda language: (-totals[language], language))
    series = [
        {
            "language": language,
            "color": PALETTE[index % len(PALETTE)],
            "counts": [counts.get((day, language), 0) for day in days],
        }
        for index, language in enumerate(languages)
    ]
    return {"days": days, "series": series, "undated": undated}


def translation_links(corpus: Corpus) -> list[dict]:
    if "translations" not in corpus.tables:
        return []
    rows = corpus.conn.execute(
        "SELECT a.id AS id, a.title AS title, a.language AS language, a.url AS url, o.id AS original_id, "
        "o.title AS original_title, o.language AS original_language, o.url AS original_url, t.score AS score "
        "FROM translations t JOIN articles a ON a.id = t.article JOIN articles o ON o.id = t.translation_of "
        "ORDER BY a.id"
    )
    return [dict(row) for row in rows]


def _link(url: str | None, text: str | None) -> str:
    label = escape(text or url or "")
    return f'<a href="{escape(url)}">{label}</a>' if url and url.startswith(("http://", "https://")) else label


def _score(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else ""


def _bars(rows: list[dict], label: str, value: str) -> str:
    most = max([row[value] for row in rows] + [1])
    lines = "".join(
        f'<tr><td>{escape(str(row[label] if row[label] is not None else "?"))}</td><td class="n">{row[value]}</td>'
        f'<td style="width:55%"><div class="meter" style="width:{100 * row[value] / most:.1f}%"></div></td></tr>'
        for row in rows
    )
    return (
        f"<table><tr><th>{escape(label)}</th><th>{escape(value)}</th><th></th></tr>{lines}</table>"
        if rows
        else '<p class="muted">none</p>'
    )


def render(corpus: Corpus, *, now: datetime | None = None) -> str:
    """The report page for ``corpus``, as one string of HTML."""
    stats = corpus.stats()
    totals = stats["corpus"]
    chart = per_day_by_language(corpus)
    links = translation_links(corpus)
    generated = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    cards = "".join(
        f'<div class="card"><b>{value}</b><span>{escape(name)}</span></div>'
        for value, name in (
            (f"{totals['articles']:,}", "articles kept"),
            (f"{len(stats['by_language'])}", "languages"),
            (f"{len(stats['by_site'])}", "sites"),
            (f"{totals['duplicates']:,}", "duplicates removed"),
            (f"{totals['translations']:,}", "translation links"),
            (f"{len(stats['runs'])}", "crawl runs"),
        )
    )
    legend = "".join(
        f'<span><i style="background:{s["color"]}"></i>{escape(s["language"])} ({sum(s["counts"])})</span>'
        for s in chart["series"]
    )
    numbers = "".join(
        f"<tr><td>{day}</td>" + "".join(f'<td class="n">{s["counts"][i]}</td>' for s in chart["series"]) + "</tr>"
        for i, day in enumerate(chart["days"])
        if any(s["counts"][i] for s in chart["series"])
    )
    numbers_head = "<tr><th>day</th>" + "".join(f"<th>{escape(s['language'])}</th>" for s in chart["series"]) + "</tr>"
    undated = (
        f' <span class="muted">{chart["undated"]} without a publication date are not shown.</span>'
        if chart["undated"]
        else ""
    )
    translation_rows = "".join(
        f"<tr><td>[{escape(link['language'] or '?')}] {_link(link['url'], link['title'])}</td>"
        f"<td>[{escape(link['original_language'] or '?')}] {_link(link['original_url'], link['original_title'])}</td>"
        f'<td class="n">{_score(link["score"])}</td></tr>'
        for link in links
    )
    translations = (
        f"<table><tr><th>translation</th><th>translates</th><th>score</th></tr>{translation_rows}</table>"
        if links
        else '<p class="muted">none</p>'
    )
    run_rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"" if key == "started_at" else "n"}">'
            f"{escape(str(run[key])) if run[key] is not None else ''}</td>"
            for key in ("id", "started_at", "pages", "stored", "duplicates", "errors", "seconds")
        )
        + "</tr>"
        for run in stats["runs"]
    )
    runs = (
        "<table><tr><th>run</th><th>started</th><th>pages fetched</th><th>stored</th><th>duplicates</th>"
        f"<th>errors</th><th>seconds</th></tr>{run_rows}</table>"
        if stats["runs"]
        else '<p class="muted">none</p>'
    )
    data = json.dumps(chart, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>deepseek_news corpus report: {escape(corpus.path.name)}</title>
<style>{STYLE}</style></head>
<body><main>
<h1>deepseek_news corpus</h1>
<p class="sub">{escape(str(corpus.path))} &middot; {totals["bytes"] / 1e6:.1f} MB &middot; {totals["characters"]:,} characters of text &middot; generated {generated}</p>
<div class="cards">{cards}</div>
<section><h2>Articles per day, by language</h2>
<div id="chart"></div><div class="legend">{legend}</div>
<details><summary>The numbers</summary>{undated}<table>{numbers_head}{numbers}</table></details>
<script type="application/json" id="per-day">{data}</script>
</section>
<div class="two">
<section><h2>Top sites</h2>{_bars(stats["by_site"][:TOP_SITES], "site", "articles")}</section>
<section><h2>Duplicates removed, by kind</h2>{_bars(stats["duplicates_by_kind"], "kind", "duplicates")}
<h2 style="margin-top:18px">Articles by language</h2>{_bars(stats["by_language"], "language", "articles")}</section>
</div>
<section><h2>Translation links</h2>{translations}</section>
<section><h2>Crawl runs</h2>{runs}</section>
</main>
<script>{CHART_SCRIPT}</script>
</body></html>
"""


def write_report(db_path: str | os.PathLike, output: str | os.PathLike) -> Path:
    """Render the report of ``db_path`` into ``output`` (replaced whole, never left half-written)."""
    output = Path(output)
    with Corpus(db_path) as corpus:
        page = render(corpus)
    try:
        handle, scratch = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(scratch, 0o666 & ~umask)  # as a plain open() would make it, not mkstemp's 0600
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(page)
            os.replace(scratch, output)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise CorpusError(f"cannot write {output}: {error.strerror or error}") from None
    return output
