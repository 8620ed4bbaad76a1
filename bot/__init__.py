"""Runtime: config, CLI, Application assembly, scheduler tick, outbox sender, web server and sandbox."""
