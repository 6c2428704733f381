"""``python -m dedup cluster`` reads what ``deepseek-news export`` writes: ``language`` (and ``lang``)."""

from __future__ import annotations

import io
import json

from dedup.cli import read_docs


def test_cluster_reads_the_exports_language_field(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(row)
            for row in (
                {"id": 1, "text": "Nvidia verliert", "language": "de"},
                {"id": 2, "text": "Nvidia loses", "lang": "en"},
                {"id": 3, "text": "Nvidia"},
            )
        )
        + "\n",
        encoding="utf-8",
    )
    assert [lang for _, _, lang in read_docs(str(path), errors=io.StringIO())] == ["de", "en", None]
