"""Optional Prometheus metrics (``metrics.port`` / NEWSBOT_METRICS_PORT; off by default).

Served at ``http://<host>:<port>/metrics``: updates handled by kind, search latency, Bot API responses by
method and status, 429s received, and — read from the database at scrape time — deliveries by status,
queue length and active subscribers.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.app import Group, NewsbotApplication
from bot.context import SERVICES, BotContext
from bot.heartbeat import RecordingRequest, last_contact
from bot.services import Services
from bot.store import Store

REGISTRY = CollectorRegistry()
INCOMING = Counter("newsbot_updates", "Updates received, by kind", ["kind"], registry=REGISTRY)
SEARCH_SECONDS = Histogram(
    "newsbot_search_seconds",
    "Time to answer one search in the index",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
    registry=REGISTRY,
)
API_RESPONSES = Counter(
    "newsbot_api_responses",
    "Bot API responses by method and HTTP status",
    ["method", "status"],
    registry=REGISTRY,
)
TOO_MANY_REQUESTS = Counter(
    "newsbot_too_many_requests", "429 (flood control) answers received from the Bot API", registry=REGISTRY
)


class StoreCollector(Collector):
    """Gauges read from the database (its own read-only connection) at each scrape."""

    def __init__(self, database: Path, data_dir: Path) -> None:
        self.database = database
        self.data_dir = data_dir

    def collect(self) -> Iterator[GaugeMetricFamily]:
        deliveries = GaugeMetricFamily(
            "newsbot_deliveries", "Deliveries in the database by status", labels=["status"]
        )
        queue = GaugeMetricFamily("newsbot_queue_length", "Deliveries queued or in flight")
        subscribers = GaugeMetricFamily("newsbot_subscribers", "Active chats with at least one subscription")
        counts = self._counts()
        for status in ("queued", "sending", "sent", "blocked", "failed"):
            deliveries.add_metric([status], counts.pop(status, 0))
        for status, count in counts.items():
            if status != "_subscribers":
                deliveries.add_metric([status], count)
        queue.add_metric(
            [], sum(s.value for s in deliveries.samples if s.labels["status"] in ("queued", "sending"))
        )
        subscribers.add_metric([], counts.get("_subscribers", 0))
        yield deliveries
        yield queue
        yield subscribers
        contact = last_contact(self.data_dir)
        if contact is not None:
            age = GaugeMetricFamily(
                "newsbot_last_api_contact_seconds", "Seconds since the last Bot API contact"
            )
            age.add_metric([], max(0.0, time.time() - contact))
            yield age

    def _counts(self) -> dict[str, int]:
        try:
            store = Store.open_existing(self.database, read_only=True, timeout=2)
        except (OSError, sqlite3.Error):
            return {}
        try:
            return {**store.delivery_counts(), "_subscribers": store.subscriber_count()}
        except sqlite3.Error:
            return {}
        finally:
            store.close()


def update_kind(update: Update) -> str:
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None), "other")


async def count_update(update: object, _context: BotContext) -> None:
    if isinstance(update, Update):
        INCOMING.labels(update_kind(update)).inc()


def observe_response(method: str, status: int) -> None:
    API_RESPONSES.labels(method, str(status)).inc()
    if status == 429:
        TOO_MANY_REQUESTS.inc()


_collectors: dict[Path, StoreCollector] = {}


def install(app: NewsbotApplication) -> None:
    """Instrument `app` (built by `bot.app.build_application`): count updates and API responses, observe
    the services' searches (once they are open), and read the database's gauges at scrape time."""
    settings = app.settings
    app.add_handler(TypeHandler(Update, count_update), group=Group.OBSERVE)
    if isinstance(app.bot.request, RecordingRequest):
        app.bot.request.observers.append(observe_response)
    previous_post_init = app.post_init

    async def post_init(application: Application) -> None:
        services: Services | None = application.bot_data.get(SERVICES)
        if services is not None and SEARCH_SECONDS.observe not in services.search_observers:
            services.search_observers.append(SEARCH_SECONDS.observe)
        if previous_post_init is not None:
            await previous_post_init(application)

    app.post_init = post_init
    database = settings.database_path.resolve()
    if database not in _collectors:
        _collectors[database] = StoreCollector(database, settings.data_dir)
        REGISTRY.register(_collectors[database])


def serve(port: int, addr: str = "0.0.0.0") -> Any:
    """Serve REGISTRY over HTTP from a daemon thread; returns the server (call `.shutdown()` to stop)."""
    server, _thread = start_http_server(port, addr=addr, registry=REGISTRY)
    return server
