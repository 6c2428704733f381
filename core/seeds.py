"""Loading the crawl's start points and topic terms from ``seeds/*.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "deepseek_news.toml"


@dataclass(frozen=True)
class Seeds:
    """Where a crawl starts and which words keep a page on topic, as a seeds file gives them."""

    start_urls: tuple[str, ...]
    keywords: tuple[str, ...]


def load_seeds(path: str | Path = DEFAULT_SEEDS) -> Seeds:
    """Read a seeds file; raises ValueError with a one-line reason when it is unreadable."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"cannot read seeds file {path}: {error}") from None
    return Seeds(
        start_urls=tuple(data.get("start", {}).get("urls", [])),
        keywords=tuple(data.get("topic", {}).get("keywords", [])),
    )


def split_argument(value: str) -> tuple[str, ...]:
    """A comma-separated spider argument as a tuple; an empty value gives an empty tuple."""
    return tuple(part.strip() for part in value.split(",") if part.strip())
