"""``deepseek-news browse``: Datasette on a corpus file with our metadata, whatever the file is called.

Datasette names a database after its file's stem and applies metadata by that name, so the shipped
``storage/datasette-metadata.json`` (written for ``deepseek_news.db``) is re-keyed to the actual stem at
run time. Long cells are cut (Datasette's ``truncate_cells_html``), and the plugin in
``storage/datasette_plugins/`` renders search snippets highlighted and folds the column descriptions.
"""

from __future__ import annotations

import copy
import json
import signal
import sys
import tempfile
from pathlib import Path

import click

from storage.corpus import CorpusError, open_database

HERE = Path(__file__).resolve().parent
METADATA = HERE / "datasette-metadata.json"
PLUGINS_DIR = HERE / "datasette_plugins"
SHIPPED_NAME = "deepseek_news"  # the database name the shipped metadata is written for
TRUNCATE_CELLS = 200  # characters of a cell shown in tables; the row page shows all of it


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database in ``db_path``: its file name without the extension."""
    return Path(db_path).stem


def metadata_for(db_path: str | Path) -> dict:
    """The shipped metadata with its database entry under the name Datasette gives ``db_path``."""
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    name = database_name(db_path)
    database = copy.deepcopy(metadata["databases"][SHIPPED_NAME])
    if name != SHIPPED_NAME:
        database["title"] = name
    metadata["databases"] = {name: database}
    return metadata


def datasette_arguments(db_path: str | Path, metadata_path: str | Path, host: str, port: int) -> list[str]:
    """``datasette serve`` arguments, as a person would type them."""
    return [
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--setting",
        "truncate_cells_html",
        str(TRUNCATE_CELLS),
        "--host",
        host,
        "--port",
        str(port),
    ]


def browse(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve ``db_path`` until interrupted (Ctrl-C or SIGTERM, which uvicorn turns into a clean stop);
    Datasette's exit status. Datasette runs in this process, so stopping it stops everything."""
    try:
        from datasette.cli import cli
    except ImportError:
        raise CorpusError(
            "browse needs Datasette: pip install 'deepseek-news[browse]' (or pip install datasette)"
        ) from None
    open_database(db_path).close()  # one line for a missing or non-SQLite file, as every subcommand says
    with tempfile.TemporaryDirectory(prefix="deepseek-news-browse-") as scratch:
        metadata_path = Path(scratch) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        from datasette.utils import tilde_encode  # how Datasette spells a database name in its URLs

        sys.stderr.write(
            f"Datasette on http://{host}:{port}/{tilde_encode(database_name(db_path))}/articles (Ctrl-C stops it)\n"
        )
        sys.stderr.flush()
        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            cli.main(
                datasette_arguments(db_path, metadata_path, host, port), prog_name="datasette", standalone_mode=False
            )
        except click.ClickException as error:
            raise CorpusError(error.format_message()) from None
        except Stopped:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return 0


class Stopped(Exception):
    """Ctrl-C or SIGTERM: the normal way to stop a server."""


def stop(signum, frame):
    # uvicorn handles the signal while it serves, shuts down, then raises it again for the handler it found
    # (this one): the server stops cleanly and the scratch metadata is removed.
    raise Stopped()
