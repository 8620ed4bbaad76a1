"""What operators watch at GET /metrics (Prometheus text, through prometheus-client).

One registry per runtime, so two runtimes in one process (tests, the sandbox) never share counters.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.models.outbox import LANE_NAMES


class Metrics:
    def __init__(self):
        self.registry = r = CollectorRegistry()
        self.sent = Counter("tongxin_messages_sent", "Messages the Bot API accepted, by lane", ["lane"], registry=r)
        self.throttled = Counter("tongxin_telegram_429", "Answers of 429 Too Many Requests", registry=r)
        self.retries = Counter("tongxin_send_retries", "Bot API calls tried again, by lane", ["lane"], registry=r)
        self.dead = Counter("tongxin_outbox_dead", "Outbox rows given up (blocked, bad request, out of attempts)",
                            registry=r)
        self.uncertain = Counter("tongxin_uncertain_sends",
                                 "Requests whose answer was lost (timeout, crash): perhaps sent twice", registry=r)
        self.backlog = Gauge("tongxin_outbox_backlog", "Outbox rows due or being sent, by lane", ["lane"], registry=r)
        self.oldest = Gauge("tongxin_outbox_oldest_pending_age_seconds", "Age of the oldest due row, by lane",
                            ["lane"], registry=r)
        self.reply_latency = Histogram("tongxin_reply_latency_seconds",
                                       "From asking the send budget for a reply to Telegram's answer",
                                       buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30), registry=r)
        self.tick_duration = Histogram("tongxin_tick_duration_seconds", "Producers' tick duration",
                                       buckets=(.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60), registry=r)
        self.last_tick = Gauge("tongxin_last_tick_success_timestamp_seconds", "When a tick last succeeded",
                               registry=r)
        for name in LANE_NAMES.values():  # every lane shows up at 0 before its first message
            self.sent.labels(name)
            self.retries.labels(name)

    def show_backlog(self, per_lane: dict[int, tuple[int, float]]) -> None:
        for lane, name in LANE_NAMES.items():
            count, age = per_lane.get(lane, (0, 0.0))
            self.backlog.labels(name).set(count)
            self.oldest.labels(name).set(age)

    def text(self) -> bytes:
        return generate_latest(self.registry)
