"""The corpus: one SQLite file, its schema and writes (corpus), queries, export and the CLI.

No Scrapy import here: the crawler hands this package plain dicts.
"""

from storage.corpus import CorpusError, CorpusWriter, open_database

__all__ = ["CorpusError", "CorpusWriter", "open_database"]
