"""Sample contexts for the limits every upload is held to."""

SAMPLES = {
    "problem_file_too_big": {"limit": "5 MB"},
    "problem_file_unpacked": {"limit": "64 MB"},
    "problem_file_rows": {"limit": 20000},
    "problem_file_columns": {"limit": 64},
    "problem_file_cells": {"limit": 320000},
    "problem_file_slow": {"seconds": 20},
}
