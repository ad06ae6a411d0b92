"""Prometheus metrics: off by default; with a port, a running bot serves updates by kind, search latency,
deliveries by status, queue length and the 429s it received."""

from __future__ import annotations

import signal
import urllib.request

from conftest import wait_until
from processes import bot_env, free_port, newsbot
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import Settings
from bot.store import Store


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_are_off_by_default():
    assert Settings.load(None, env={}).metrics_port is None


def test_a_running_bot_serves_its_metrics(fake, tmp_path):
    data = tmp_path / "data"
    ana = fake.user("Ana", started=True)
    bob = fake.user("Bob", started=True)
    store = Store.open(data / "newsbot.sqlite3")
    store.seen_chat(bob.id, "private")
    item = store.create_announcement(None, "Board meeting on Monday", None)
    store.queue_announcement(item.id)
    store.close()
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=bob.id)
    port = free_port()
    env = bot_env(fake.url, fake.token, data, NEWSBOT_METRICS_PORT=str(port))
    with newsbot("run", env=env, log_path=tmp_path / "run.log") as bot:
        fake.send_text(ana, ana, "/start")
        fake.send_text(ana, ana, "harm reduction")
        fake.wait_until(lambda: len(fake.replies(ana)) >= 2, timeout=30, what="two answers")
        query = fake.inline_query(ana, "cnd")
        fake.wait_until(lambda: fake.inline_answer(query), timeout=30, what="the inline answer")
        fake.wait_until(lambda: fake.replies(bob), timeout=30, what="the announcement after the 429")

        def sent_metric() -> dict:
            metrics = scrape(port)
            return metrics if metrics.get(("newsbot_deliveries", (("status", "sent"),))) == 1 else {}

        metrics = wait_until(sent_metric, 30, "the delivery to show as sent")
        assert bot.stop(signal.SIGTERM) == 0, bot.output

    assert metrics[("newsbot_updates_total", (("kind", "message"),))] == 2
    assert metrics[("newsbot_updates_total", (("kind", "inline_query"),))] == 1
    assert metrics[("newsbot_search_seconds_count", ())] >= 2  # the question and the inline query
    assert metrics[("newsbot_too_many_requests_total", ())] == 1
    assert metrics[("newsbot_api_responses_total", (("method", "sendMessage"), ("status", "429")))] == 1
    assert metrics[("newsbot_queue_length", ())] == 0
    assert metrics[("newsbot_deliveries", (("status", "queued"),))] == 0
    assert metrics[("newsbot_last_api_contact_seconds", ())] < 60
