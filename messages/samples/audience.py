"""Sample contexts for audiences shown and chosen in the reader's language."""

SAMPLES = {
    "audience": {"terms": [("unit", "生产部"), ("branch", "第一支部"), ("party", ""), ("role", "secretary")]},
    "audience_button": {"name": "units"},
    "audience_choose": {"kind": "branches"},
}
