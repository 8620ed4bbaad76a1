"""Sample contexts for units named by their path."""

SAMPLES = {
    "unit_ambiguous": {"name": "办公室", "candidates": ["一厂/办公室", "二厂/办公室"]},
    "problem_unit_ambiguous": {"value": "办公室", "candidates": ["一厂/办公室", "二厂/办公室"]},
}
