"""Nightly reconciliation of the registry against other departments' data feeds.

feeds.py      the feed kinds, their declared columns, and reading a feed file as a stream
loader.py     COPY into a staging table, then validation in SQL with a reject report
matching.py   set-based matching to the registry and the discrepancy rules
services.py   receiving feeds, starting, running and resuming a run
selectors.py  who may send feeds; the feeds and runs each user sees
api_urls.py   the API's routes (views in residents/reconciliation_api.py)
generator.py  synthetic feeds for tests, the demo and benchmarks
demo.py       the demo city's finished run
"""
