"""The crawl's spiders (one: deepseek_news)."""
