"""Every judgement the crawl makes on a page, free of Scrapy and Twisted: decoding (``core.charset``) and extraction
(``core.extraction``), learned site chrome, dates, URLs, the address rule, discovery parsing (feeds, sitemaps, links),
the topic filter, seeds, and the keep/drop/link decision. ``crawler/`` holds only the Scrapy adapters
that apply them; ``tests/test_core_imports.py`` checks that none of this loads Scrapy or Twisted."""
