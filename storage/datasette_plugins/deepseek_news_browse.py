"""Datasette plugin loaded by ``deepseek-news browse`` (``--plugins-dir``): search snippets rendered
highlighted, and the table pages' column descriptions folded into one line so the facets come first.

The stored queries mark hits as ``<b>...</b>`` (what FTS5's snippet() writes; JSON users read that).
A cell is escaped whole and only those two tags are turned back into ``<mark>``, so an article's own
text can never inject markup.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

HIGHLIGHTED_COLUMNS = {"snippet"}
FOLD_COLUMN_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
  var fold = document.createElement("details");
  fold.className = "column-descriptions-fold";
  var summary = document.createElement("summary");
  summary.textContent = "What each column holds (" + list.querySelectorAll("dt").length + " columns)";
  list.parentNode.insertBefore(fold, list);
  fold.appendChild(summary);
  fold.appendChild(list);
});
"""


@hookimpl
def render_cell(value, column):
    if column not in HIGHLIGHTED_COLUMNS or not isinstance(value, str) or "<b>" not in value:
        return None
    return Markup(str(escape(value)).replace("&lt;b&gt;", "<mark>").replace("&lt;/b&gt;", "</mark>"))


@hookimpl
def extra_body_script(view_name):
    return FOLD_COLUMN_DESCRIPTIONS if view_name == "table" else ""
