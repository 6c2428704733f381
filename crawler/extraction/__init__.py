"""Article extraction for the crawler: page bytes in, article prose and metadata out.

Modules: decode (bytes -> str -> tree), metadata, prune (DOM chrome removal), cleanup
(line-level chrome removal), language, pagekind (article or not), core (extract_page).
The public entry point is crawler.extract.
"""
from crawler.extraction.core import DEFAULT_OPTIONS, RESULT_KEYS, ExtractOptions, extract_page

__all__ = ["DEFAULT_OPTIONS", "RESULT_KEYS", "ExtractOptions", "extract_page"]
