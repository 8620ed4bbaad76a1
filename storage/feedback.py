"""Anonymous feedback (意见反馈) with a closed PDCA loop: the one name handlers, jobs and tests import.

The rules live in small modules, one concept each, and are re-exported here:
- `feedback_config`  what an organisation may change (categories, routing, limits, office name);
- `feedback_tickets` what both sides share: dates, numbers, who is responsible, notices and relays;
- `feedback_writer`  submitting under the daily limit, following, answering, resolving, reopening, rating;
- `feedback_office`  /inbox, taking, replying and asking, closing with root cause and measure, measure to task;
- `feedback_views`, `feedback_texts` what a ticket looks like, and how long texts fit Telegram;
- `feedback_routes`  the sealed way back to the writer; `feedback_flows` the chat flows; `feedback_jobs` the
  scheduler's work; `feedback_kpi` the figures.

The rules that keep anonymity a property of the data:
- an anonymous ticket stores no member id and no Telegram id, a random number, and dates only for whatever
  the writer does (received_on, closed_on, message days; an anonymous writer's audit events enter the trail
  the next day in a shuffled batch, dated at midnight);
- the way back to the writer is the sealed route; replies go through it, and it is deleted after retention;
- outbox rows that carry a writer's chat id or betray the moment the writer acted ("feedback.relay",
  "feedback.notice") are deleted once sent;
- the writer's department is kept only when it has at least `min_unit_size` members;
- the office signs what it sends to the writer with the office's name, never a secretary's.
"""
from __future__ import annotations

from storage.feedback_config import (CONFIG_MAX, DEFAULT_CATEGORIES, RANGES, SETTING_KEY,
                                     FeedbackConfig, category_name, change_config, check_config, load_config,
                                     office_name, save_config, status_name)
from storage.feedback_kpi import kpi_figures  # for /kpi and the report
from storage.feedback_office import (PDCA_MAX, begin_close, begin_office_message, begin_resolve, can_see,
                                     close_reason,
                                     close_unresolved, inbox, mark_answered, measure_to_task, office_message,
                                     pdca_required, resolve, staff_ticket, take)
from storage.feedback_texts import (EXCERPT, MESSAGE_LIMIT, excerpt, long_messages, open_keyboard,
                                    size, staff_keyboard, writer_keyboard)
from storage.feedback_tickets import (DIGEST, ESCALATION, NOTICE, PRIVATE_KINDS, RELAY, midnight,
                                      normalise_id, responsible_staff, ticket_unit_ids, today, unit_size)
from storage.feedback_views import (disclosure, inbox_items, mytickets_items, names_of, shown_unit, staff_view,
                                    task_number, tasks_available, thread, writer_name, writer_view)
from storage.feedback_writer import (begin_writer_reply, my_tickets, rate, start, submit, unit_offer,
                                     writer_message, writer_reopen, writer_resolve, writer_ticket)

__all__ = [
    "CONFIG_MAX",
    "DEFAULT_CATEGORIES",
    "DIGEST",
    "ESCALATION",
    "EXCERPT",
    "FeedbackConfig",
    "MESSAGE_LIMIT",
    "NOTICE",
    "PDCA_MAX",
    "PRIVATE_KINDS",
    "RANGES",
    "RELAY",
    "SETTING_KEY",
    "begin_close",
    "begin_office_message",
    "begin_resolve",
    "begin_writer_reply",
    "can_see",
    "category_name",
    "change_config",
    "check_config",
    "disclosure",
    "close_reason",
    "close_unresolved",
    "excerpt",
    "inbox",
    "inbox_items",
    "kpi_figures",
    "load_config",
    "long_messages",
    "mark_answered",
    "measure_to_task",
    "midnight",
    "my_tickets",
    "mytickets_items",
    "names_of",
    "normalise_id",
    "office_message",
    "office_name",
    "open_keyboard",
    "pdca_required",
    "rate",
    "resolve",
    "responsible_staff",
    "save_config",
    "shown_unit",
    "size",
    "staff_keyboard",
    "staff_ticket",
    "staff_view",
    "start",
    "status_name",
    "submit",
    "take",
    "task_number",
    "tasks_available",
    "thread",
    "ticket_unit_ids",
    "today",
    "unit_offer",
    "unit_size",
    "writer_keyboard",
    "writer_message",
    "writer_name",
    "writer_reopen",
    "writer_resolve",
    "writer_ticket",
    "writer_view",
]
