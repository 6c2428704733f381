"""The archive: every fetched page kept as WARC (ISO 28500), the corpus rebuilt from it, WARC files
(e.g. Common Crawl's CC-NEWS) as a source.

- ``archive.warc``: writing and reading gzip-per-record WARC files (warcio), pure of Scrapy.
- ``archive.offline``: the crawl's pipeline stages (extraction, topic filter, dedup, corpus) without Scrapy.
- ``archive.rebuild``: ``deepseek-news reextract``, the corpus rebuilt from its archived pages.
- ``archive.ingest``: ``deepseek-news ingest``, WARC files read into a corpus, resumable, and shared
  between machines through a Redis queue.
"""
