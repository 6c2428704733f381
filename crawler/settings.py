"""Every setting of the deepseek_news crawl, each default in one place with the reason for it.

Override any of them with ``scrapy crawl deepseek_news -s NAME=VALUE``. A plain module, importing nothing:
the offline runs (deepseek-news ingest, reextract; archive/offline.py) read the same defaults without
loading Scrapy.
"""

BOT_NAME = "deepseek_news"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits 1 when the corpus refused a write

# --- Where the corpus goes --------------------------------------------------------------------------
CORPUS_DB = "data/deepseek_news.db"  # one SQLite file (WAL); see storage/corpus.py
CORPUS_BATCH_SIZE = 100  # rows per write transaction: a crash loses at most the batch in flight
CHROME_SAVE_EVERY = 1000  # pages between saves of the learned site chrome; each save writes the counts
#                          changed since the last, and a crash only loses what later pages relearn

# --- The WARC archive (crawler/warc_writer.py, archive/) --------------------------------------------
WARC_ENABLED = True  # every judged page kept as WARC beside the corpus (data/deepseek_news.warc/), so a
#                      better extractor can rebuild the corpus later (deepseek-news reextract)
WARC_ALL = False  # also feeds, sitemaps, robots.txt and error pages, not only the HTML pages judged
WARC_MAX_SIZE = 1024**3  # bytes per WARC file before the next one is started (1 GiB)

# --- Politeness -------------------------------------------------------------------------------------
CONTACT_URL = "https://github.com/deepseek-news/deepseek_news"  # who we are, for site operators
USER_AGENT = f"deepseek_news/0.1 (news research crawler; +{CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # small: news sites are someone else's servers
DOWNLOAD_DELAY = 1.0  # seconds between requests to one site, before AutoThrottle adapts it
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2  # 5xx, 408, 429 and connection errors are retried twice, then counted as errors
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"  # the spider logs each failed page in one line with its cause
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # 10 MiB, applied by Scrapy to inflated gzip/brotli bodies too
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False  # news pages need no session; cookies only grow session-id URL variants
TELNETCONSOLE_ENABLED = False  # no listening ports: a crawler is a client
REMOTE_CONTROL_ENABLED = False

# --- Discovery --------------------------------------------------------------------------------------
HTML_FOLLOW_DEPTH = 2  # links inside HTML pages: followed on the page's own site, this many hops from a
#                        start point or listing, so calendars and endless archives cannot trap the crawl
MAX_PAGES_PER_SITE = 20000  # a hard stop per site against infinite URL spaces

# --- Extraction and dedup ---------------------------------------------------------------------------
CONCURRENT_ITEMS = 8  # Scrapy starts this many asyncio tasks for every response's output; a page yields
#                       one item and a sitemap's links are enqueued at once, so 100 (the default) only costs CPU
EXTRACT_WORKERS = None  # worker processes for extraction; None = one per core, 0 = in the crawl process
EXTRACT_TIMEOUT = 30  # seconds one page may take in a worker (pages take ~0.1-0.5 s; bounded hostile ones
#                      a few): past it the workers are killed and started anew, the page counted
#                      errors/extract_timeout; 0 = no limit; none with EXTRACT_WORKERS=0 (nothing to kill)
EXTRACT_WORKER_PAGES = 1000  # pages a worker extracts before a fresh one takes its place: a worker grows
#                      with the pages it has seen (library caches, heap fragments); 0 = never
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000  # bytes of responses waiting for or in the pipelines before the
#                       crawl sends no new requests (Scrapy's backpressure; default 5 MB): ~6 average pages,
#                       enough to keep the workers busy; each held one costs its body and Scrapy's decoded
#                       copy of it (measured: ~18 MB less in the crawl process, the same pages/s)
TRANSLATIONS = "link"  # an article and its translation in another language: "link" keeps both and
#                        links them in `translations`; "remove" records the later one in `duplicates`
MAIN_LANGUAGE = "de"  # the corpus's main language: of two translations, the other one is the original
# DEDUP_* settings override dedup.DedupConfig fields (see dedup/config.py), e.g. -s DEDUP_THRESHOLD=0.5

# --- Components -------------------------------------------------------------------------------------
TWISTED_DNS_RESOLVER = "crawler.guard.GuardedResolver"  # refuses names resolving to private addresses
DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.AddressGuardMiddleware": 50,  # before robots.txt, so no private host is asked for it
    "crawler.middlewares.SkipFinishedMiddleware": 60,  # redirect targets the corpus already has
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.WaitingRobotsTxtMiddleware": 100,  # also obeyed while robots.txt downloads
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.QuickMetaRefreshMiddleware": 580,  # the same, without decoding every page
    "crawler.warc_writer.WarcWriterMiddleware": 585,  # after HttpCompressionMiddleware (590) inflated the body
    "crawler.warc_writer.WarcRedirectMiddleware": 605,  # WARC_ALL: redirects, before RedirectMiddleware (600)
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.TopicPipeline": 200,
    "crawler.pipelines.CorpusPipeline": 300,
}
# Scrapy's RemoteControl is off (REMOTE_CONTROL_ENABLED), and left out of EXTENSIONS_BASE too, by the
# add-on crawler.addons.WithoutRemoteControl: Scrapy imports every extension listed there, even one set to
# None in EXTENSIONS, and its module imports aiohttp (~10 MB and ~0.1 s of CPU in every crawl process).
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,  # replaced by our progress line
    "crawler.progress.CrawlProgress": 500,
}
PROGRESS_INTERVAL = 10.0  # seconds between progress log lines when stderr is not a terminal
PROGRESS_LIVE = None  # a live status line redrawn every second; None: when stderr is a terminal
REQUEST_FINGERPRINTER_CLASS = "crawler.request_keys.UrlKeyFingerprinter"  # www./slash/case variants are one page

# --- Scale-out ------------------------------------------------------------------------------------
REDIS_URL = None  # redis://HOST:PORT/DB: share the queue, the request filter and the dedup index
ADDONS = {
    "crawler.addons.RedisScaleOut": 0,  # switches to scrapy-redis only when REDIS_URL is set
    "crawler.addons.WithoutRemoteControl": 0,  # see EXTENSIONS above
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
