"""Anonymous feedback (意见反馈) with a closed PDCA loop: the one name handlers, jobs and tests import.

The rules live in small modules, one concept each, and are re-exported here:
- `config`  what an organisation may change (categories, routing, limits, office name);
- `tickets` what both sides share: dates, numbers, who is responsible, notices and relays;
- `writer`  submitting under the daily limit, following, answering, resolving, reopening, rating;
- `office`  /inbox, taking, replying and asking, closing with root cause and measure, measure to task;
- `views`, `texts` what a ticket looks like, and how long texts fit Telegram;
- `routes`  the sealed way back to the writer; `pending` the writer's queued actions; `wizard` the chat flows;
  `jobs` the scheduler's work; `kpi` the figures; `models` the tables.

The rules that keep anonymity a property of the data:
- an anonymous ticket stores no member id and no Telegram id, a random number, and dates only for whatever
  the writer does (received_on, closed_on, message days; an anonymous writer's audit events enter the trail
  the next day in a shuffled batch, dated at midnight);
- the way back to the writer is the sealed route; replies go through it, and it is deleted after retention;
- outbox rows that carry a writer's chat id or betray the moment the writer acted ("feedback.relay",
  "feedback.notice") are deleted once sent;
- the writer's department is kept only when the writer chose to show it and it has at least
  `min_unit_size` members;
- the office signs what it sends to the writer with the office's name, never a secretary's.
"""
from __future__ import annotations

from storage.feedback.config import (CONFIG_MAX, DEFAULT_CATEGORIES, RANGES, SETTING_KEY,
                                     FeedbackConfig, category_name, change_config, check_config, load_config,
                                     office_name, save_config, status_name)
from storage.feedback.jobs import apply_pending, escalate, monthly_digest, release_audit, scrub_outbox
from storage.feedback.kpi import kpi_figures
from storage.feedback.models import FeedbackDigest, FeedbackRoute, FeedbackTicket, FeedbackTicketUnit
from storage.feedback.routes import new_route, open_draft, seal_draft, tickets_of, writer_id, writer_of
from storage.feedback.office import (PDCA_MAX, begin_close, begin_office_message, begin_resolve, can_see,
                                     close_reason, close_unresolved, inbox, mark_answered, measure_to_task,
                                     office_message, pdca_required, resolve, staff_ticket, take)
from storage.feedback.texts import (EXCERPT, MESSAGE_LIMIT, excerpt, long_messages, open_keyboard,
                                    size, staff_keyboard, writer_keyboard)
from storage.feedback.tickets import (DIGEST, ESCALATION, NOTICE, PRIVATE_KINDS, RELAY, midnight,
                                      normalise_id, responsible_staff, ticket_unit_ids, today, unit_size)
from storage.feedback.views import (disclosure, inbox_items, mytickets_items, names_of, shown_unit, staff_view,
                                    task_number, tasks_available, thread, writer_name, writer_view)
from storage.feedback.wizard import (CLOSE, DRAFT, OFFICE, PDCA, TASK, THREAD, Step, close_cancel, close_confirm,
                                     close_input, close_start, confirmation, draft_cancel, draft_input,
                                     draft_start, draft_submit, office_input, office_start, pdca_dialog,
                                     pdca_input, pdca_start, task_input, task_start, thread_input, thread_start)
from storage.feedback.writer import (begin_writer_reply, my_tickets, rate, start, submit, unit_offer,
                                     writer_message, writer_reopen, writer_resolve, writer_ticket)

__all__ = [
    "apply_pending",
    "begin_close",
    "begin_office_message",
    "begin_resolve",
    "begin_writer_reply",
    "can_see",
    "category_name",
    "change_config",
    "check_config",
    "CLOSE",
    "close_cancel",
    "close_confirm",
    "close_input",
    "close_reason",
    "close_start",
    "close_unresolved",
    "CONFIG_MAX",
    "confirmation",
    "DEFAULT_CATEGORIES",
    "DIGEST",
    "disclosure",
    "DRAFT",
    "draft_cancel",
    "draft_input",
    "draft_start",
    "draft_submit",
    "escalate",
    "ESCALATION",
    "EXCERPT",
    "excerpt",
    "FeedbackConfig",
    "FeedbackDigest",
    "FeedbackRoute",
    "FeedbackTicket",
    "FeedbackTicketUnit",
    "inbox",
    "inbox_items",
    "kpi_figures",
    "load_config",
    "long_messages",
    "mark_answered",
    "measure_to_task",
    "MESSAGE_LIMIT",
    "midnight",
    "monthly_digest",
    "my_tickets",
    "mytickets_items",
    "names_of",
    "new_route",
    "normalise_id",
    "NOTICE",
    "OFFICE",
    "office_input",
    "office_message",
    "office_name",
    "office_start",
    "open_draft",
    "open_keyboard",
    "PDCA",
    "pdca_dialog",
    "pdca_input",
    "PDCA_MAX",
    "pdca_required",
    "pdca_start",
    "PRIVATE_KINDS",
    "RANGES",
    "rate",
    "RELAY",
    "release_audit",
    "resolve",
    "responsible_staff",
    "save_config",
    "scrub_outbox",
    "seal_draft",
    "SETTING_KEY",
    "shown_unit",
    "size",
    "staff_keyboard",
    "staff_ticket",
    "staff_view",
    "start",
    "status_name",
    "Step",
    "submit",
    "take",
    "TASK",
    "task_input",
    "task_number",
    "task_start",
    "tasks_available",
    "thread",
    "THREAD",
    "thread_input",
    "thread_start",
    "ticket_unit_ids",
    "tickets_of",
    "today",
    "unit_offer",
    "unit_size",
    "writer_id",
    "writer_keyboard",
    "writer_message",
    "writer_name",
    "writer_of",
    "writer_reopen",
    "writer_resolve",
    "writer_ticket",
    "writer_view",
]
