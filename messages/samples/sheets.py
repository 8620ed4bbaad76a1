"""Sample contexts for the blank sheets of /template."""

SAMPLES = {
    "sheet_template_example": {"sheet": "survey", "field": "question", "n": 0},
    "sheet_template_filename": {"name": "roster"},
    "sheet_template_caption": {"name": "survey"},
    "sheet_template_usage": {},
}
