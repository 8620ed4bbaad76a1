"""Every table, so that `Base.metadata` (Alembic's env, the tests' snapshots) knows them all.

The registry of tables: the shared ones live in `storage/models/`; a feature's own tables live in its
package (`storage/<feature>/models.py`) and are listed here, one line each.
"""
from __future__ import annotations

from storage.base import Base
from storage.models import audit, dialogs, holidays, inbox, org, outbox, settings  # noqa: F401  (shared)

import storage.feedback.models  # noqa: F401
import storage.lessons.models  # noqa: F401
import storage.orglife.models  # noqa: F401
import storage.reception.models  # noqa: F401
import storage.surveys.models  # noqa: F401
import storage.tasks.models  # noqa: F401
import storage.targets.models  # noqa: F401

__all__ = ["Base"]
