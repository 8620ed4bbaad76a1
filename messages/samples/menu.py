"""Sample contexts for the persistent menu keyboard."""

SAMPLES = {
    "menu_label": {"command": "overdue"},
    "menu_changed": {},
}
