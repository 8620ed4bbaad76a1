"""The responsibility list (责任清单): the one face handlers, the CLI, other features and tests use.

Inside: `models` (tables), `rules` (the owner's and the secretaries' actions, /overdue), `schedule`
(deadlines and reminder stages), `views` (what templates see, the task buttons), `files` (sheets and
`create_task`), `lists` (/tasks a page at a time, a task's card and notes), `nudging` (催办), `evidence` (a photo or document with a note), `wizard` (/newtask), `jobs` (reminders) and `digest` (the morning digest), `kpi` (figures).
"""
from __future__ import annotations

from storage.tasks.digest import produce_digest
from storage.tasks.evidence import Evidence
from storage.tasks.files import (apply, check, create_task, import_rows, read, template_filename,
                                 template_xlsx)
from storage.tasks.jobs import produce_reminders
from storage.tasks.kpi import (average_days_overdue, kpi_figures, on_time_rates, overdue_now, overdue_tasks,
                               task_status)
from storage.tasks.lists import PAGE, Page, card, notes, page
from storage.tasks.nudging import nudge, overdue_keyboard
from storage.tasks.models import ACTIVE, CANCELLED, DONE, OPEN, REPORTED, Task, TaskNote, TaskUnit
from storage.tasks.rules import (NOTE_DIALOG, OverdueGroup, begin_note, cancel_task, confirm, my_tasks,
                                 overdue_for, report_done, return_task, save_note)
from storage.tasks.schedule import (OVERDUE, colour, days_overdue, deadline_moment, hours_overdue, latest_stage,
                                    stage_moment)
from storage.tasks.views import LIST_LIMIT, actions_keyboard, owner_keyboard, task_views
from storage.tasks.wizard import NEW_DIALOG, begin_new, create_from_dialog, new_input, step_keyboard

__all__ = [
    "CANCELLED", "REPORTED", "colour",
    "days_overdue",
    "hours_overdue",
    "overdue_tasks",
    "return_task",
    "ACTIVE", "DONE", "LIST_LIMIT", "NEW_DIALOG", "NOTE_DIALOG", "OPEN", "OVERDUE", "OverdueGroup", "Task", "TaskNote",
    "TaskUnit", "actions_keyboard", "apply", "average_days_overdue", "begin_new", "begin_note", "cancel_task",
    "check", "confirm", "create_from_dialog", "create_task", "deadline_moment", "import_rows", "kpi_figures",
    "latest_stage", "my_tasks", "new_input", "on_time_rates", "overdue_for", "overdue_now", "owner_keyboard",
    "produce_digest", "produce_reminders", "read", "report_done", "save_note", "stage_moment", "task_status",
    "task_views", "template_filename", "template_xlsx", "step_keyboard",
    "Evidence", "PAGE", "Page", "card", "notes", "page", "nudge", "overdue_keyboard",
]
