"""``deepseek-news crawl [scrapy crawl arguments]``: the crawl from any directory once the project is
installed. Scrapy's ``crawl`` command is only offered inside a Scrapy project (a ``scrapy.cfg`` up the
tree, or SCRAPY_SETTINGS_MODULE); this names the project's settings and runs that command, so every
``scrapy crawl deepseek_news`` argument works the same, and relative paths (CORPUS_DB, JOBDIR) are
taken from the current directory.
"""

from __future__ import annotations

import os
from typing import Sequence

SETTINGS_MODULE = "crawler.settings"


def scrapy_arguments(arguments: Sequence[str]) -> list[str]:
    """The arguments for ``scrapy crawl deepseek_news``: ``--db PATH`` (as every deepseek-news command
    names the corpus) becomes ``-s CORPUS_DB=PATH``; everything else is Scrapy's, untouched."""
    result, rest = [], list(arguments)
    while rest:
        argument = rest.pop(0)
        if argument == "--db" and rest:
            result += ["-s", f"CORPUS_DB={rest.pop(0)}"]
        elif argument.startswith("--db="):
            result += ["-s", f"CORPUS_DB={argument[5:]}"]
        else:
            result.append(argument)
    return result


def crawl(arguments: Sequence[str]) -> int:
    """Run ``scrapy crawl deepseek_news ARGUMENTS``; the exit status Scrapy ends with."""
    arguments = scrapy_arguments(arguments)
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE  # ours, even inside another Scrapy project
    from scrapy.cmdline import execute

    try:
        execute(["scrapy", "crawl", "deepseek_news", *arguments])
    except SystemExit as stopped:
        code = stopped.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
