"""The offline sandbox: a fake Bot API server, a seeded demo organisation and a terminal chat."""
