"""The core: models, sessions and one service module per feature holding the rules and transactions."""
