"""Sample contexts for picking members and units with buttons."""

SAMPLES = {
    "picker_member_button": {"name": "王芳", "unit": "生产部", "no": "1002"},
    "picker_none_button": {},
    "picker_no_member": {"value": "赵六"},
    "picker_too_many": {"value": "王", "limit": 8},
    "picker_choose_member": {"value": "王", "count": 3},
}
