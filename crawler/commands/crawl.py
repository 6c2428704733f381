"""``scrapy crawl``, exiting with status 1 when the corpus refused a write (disk full, read-only,
corrupt): Scrapy's own command exits 0 whatever the reason the crawl closed with, so a script or a
scheduler would take a crawl that stored nothing for a success."""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl


class Command(ScrapyCrawl):
    """Scrapy's crawl command, ending with a failing exit status when a corpus write stopped the crawl."""

    def _create_crawler(self, spidercls):
        crawler = super()._create_crawler(spidercls)
        self.crawlers = [*getattr(self, "crawlers", []), crawler]
        return crawler

    def run(self, args, opts) -> None:
        from crawler.context import CrawlContext  # here: Scrapy imports every command for every command line

        super().run(args, opts)
        if any(CrawlContext.write_failure_of(crawler) for crawler in getattr(self, "crawlers", [])):
            self.exitcode = 1
