"""Sample contexts for the /member card and deactivation."""

_MEMBER = {"id": 2, "no": "1002", "name": "王芳", "unit": "生产部", "branch": "第一支部", "roles": ["employee"],
           "party": True, "active": True, "registered": True, "open_tasks": 1}
_TASK = {"id": 1, "no": "T-1", "title": "安全培训", "lead": "生产部", "status": "open", "secretaries": ["张伟"]}

SAMPLES = {
    "member_card": {"member": _MEMBER},
    "member_button": {"name": "ask"},
    "member_confirm": {"name": "王芳", "no": "1002"},
    "member_kept": {"name": "王芳", "no": "1002"},
    "member_deactivated": {"results": [{"member": _MEMBER, "tasks": [_TASK]}]},
    "member_reassign_notice": {"items": [("王芳", "1002", _TASK)]},
    "member_usage": {},
    "member_not_found": {"no": "1009"},
    "member_already_inactive": {"name": "王芳", "no": "1002"},
    "member_not_yourself": {},
}
