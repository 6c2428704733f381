"""Scrapy glue for deepseek_news: spider, discovery, extraction, pipelines, middlewares, settings."""
