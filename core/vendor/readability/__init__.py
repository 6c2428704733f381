"""readability-lxml 0.9 (Apache-2.0, LICENSE and NOTICE here), its five modules as released but for
one setting: its HTML cleaner leaves ``javascript:`` links alone (``cleaners.py``, marked), which
changes no extracted text and saves much of its time; and for changes that make it faster with the
same output (NOTICE lists them; each is marked "deepseek_news" in the code;
tests/benchmarks/check_extract_identity.py compares the output with a git revision's).

Vendored because the release cannot be installed beside trafilatura by the pip a fresh
``python -m venv`` brings (23.2): readability-lxml 0.9 asks for ``lxml[html-clean]`` and jusText, which
trafilatura needs, for ``lxml[html_clean]``; that pip fails on the two spellings of one extra with an
internal assertion. 0.9 reads many more pages right than 0.8.4.1 (semantic <article>/<main>
candidates, hidden elements dropped, split article segments joined; tests/benchmarks/bench_extract.py
runs it as the readability-lxml anchor). Its requirements (lxml with lxml_html_clean, chardet) are the
project's. Drop this copy for the released package once the bundled pip resolves both spellings.
"""

from .readability import Document

__version__ = "0.9"
__all__ = ["Document"]
