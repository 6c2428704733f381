"""The corpus: one SQLite file, its schema and writes (corpus), queries, export and the CLI.

No Scrapy import here: the crawler hands this package plain dicts. The package itself imports nothing
(use ``storage.corpus`` and the other modules by name): the extraction workers import ``storage.cli``
again, as the main module of ``deepseek-news ingest``, and need none of the corpus modules.
"""
