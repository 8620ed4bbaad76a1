"""Runtime: config, CLI, Application assembly, scheduler tick, outbox sender, web server and sandbox."""
import os

# Opt in to PTB's coming behaviour: durations such as RetryAfter.retry_after as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")
