"""Article extraction for the crawler: page bytes in, article prose and metadata out.

Modules: decode (bytes -> str -> tree), metadata (title, author, date, language, site name,
canonical URL, description; titles and authors judge the headline and the people), prune (DOM chrome removal before trafilatura), chunks (body
chunks trafilatura left behind), cleanup (line-level chrome removal after it), vocabulary
(the chrome words and phrases of vocab/*.txt), language (stopword detector), pagekind
(article or not), combine (paragraphs and the paragraph vote, off by default), core
(extract_page, ExtractOptions).
The public entry point is core.extract; the chrome a site repeats is learned in core.chrome.
"""

from core.extraction.extractor import DEFAULT_OPTIONS, RESULT_KEYS, ExtractOptions, extract_page

__all__ = ["DEFAULT_OPTIONS", "RESULT_KEYS", "ExtractOptions", "extract_page"]
