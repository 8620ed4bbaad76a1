"""The blank sheets people fill in: `/template roster|tasks|survey|targets` sends one with the headers the import
reads (Chinese for zh readers) and an example row, written by the one export writer."""
from __future__ import annotations

from messages import render
from storage import exports, tasks
from storage.errors import Refused

NAMES = ("roster", "tasks", "survey", "targets")
ALIASES = {"花名册": "roster", "名单": "roster", "责任清单": "tasks", "任务": "tasks", "清单": "tasks", "问卷": "survey",
           "调查": "survey", "surveys": "survey", "task": "tasks", "目标": "targets", "指标目标": "targets",
           "target": "targets"}

# The headers each import reads first (storage.roster.COLUMNS, storage.surveys.files.COLUMNS,
# storage.targets.files.COLUMNS): zh, then en.
HEADERS = {
    "roster": {"zh": ("工号", "姓名", "部门", "支部", "党员", "角色"),
               "en": ("employee_no", "name", "department", "branch", "party_member", "roles")},
    "survey": {"zh": ("类型", "题目", "选项", "必答"),
               "en": ("kind", "question", "options", "required")},
    "targets": {"zh": ("指标", "单位", "目标值", "完成日期", "变差幅度"),
                "en": ("indicator", "unit", "value", "by", "margin")},
}
EXAMPLE_FIELDS = {
    "roster": ("employee_no", "name", "department", "branch", "party_member", "roles"),
    "survey": ("kind", "question", "options", "required"),
    "targets": ("indicator", "unit", "value", "by", "margin"),
}
WIDTHS = {"roster": (10, 12, 16, 16, 8, 12), "survey": (10, 40, 40, 8), "targets": (24, 16, 10, 14, 10)}


def canonical(name: str) -> str:
    """The template a reader asked for (`tasks`, or in Chinese `责任清单`); an unknown name is refused."""
    name = (name or "").strip().lower()
    name = ALIASES.get(name, name)
    if name not in NAMES:
        raise Refused("sheet_template_usage")
    return name


def template(lang: str, name: str) -> tuple[str, bytes]:
    """(file name, xlsx) of the named template (a name `canonical` gave)."""
    if name == "tasks":
        return tasks.template_filename(lang), tasks.template_xlsx(lang)
    book = exports.XlsxWriter()
    ws = book.sheet(render(lang, "sheet_template_filename", name=name).rsplit(".", 1)[0])
    ws.append(list(HEADERS[name].get(lang, HEADERS[name]["zh"])), bold=True)
    rows = 1 if name == "roster" else 2
    for n in range(rows):
        ws.append([render(lang, "sheet_template_example", sheet=name, field=f, n=n) for f in EXAMPLE_FIELDS[name]])
    ws.widths(dict(zip("ABCDEF", WIDTHS[name])))
    return render(lang, "sheet_template_filename", name=name), book.to_bytes()
