"""Files people bring: /template sends each import's blank sheet (Chinese headers, an example row) that the
import takes back as it is; the task import reads the common synonyms and a 责任人 given by name."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from storage.tasks import Task
from storage.targets import Target
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast, sheet

SYNONYMS = "序号,任务名称,牵头部门,配合部门,责任人,完成时限"


def _sheet_of(env, message) -> list[tuple]:
    name, content = env.fake.files[message["document"]["file_id"]]
    assert name.endswith(".xlsx")
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


async def test_each_template_has_chinese_headers_an_example_and_is_taken_back(env):
    c = await cast(env)
    survey = await c.zhang.send("/template 问卷")
    rows = _sheet_of(env, survey[-1])
    assert rows[0] == ("类型", "题目", "选项", "必答") and rows[1][0] == "单选" and len(rows) == 3
    assert "/newsurvey" in survey[-1]["caption"]
    name, content = env.fake.files[survey[-1]["document"]["file_id"]]
    back = await c.zhang.upload(name, content, caption="/newsurvey")
    assert "已读取 2 道题" in back[-1]["text"]
    await c.zhang.send("/cancel")

    roster = await c.admin.send("/template roster")
    assert _sheet_of(env, roster[-1])[0] == ("工号", "姓名", "部门", "支部", "党员", "角色")
    name, content = env.fake.files[roster[-1]["document"]["file_id"]]
    back = await c.admin.upload(name, content, caption="/roster")
    assert "新增 0 人，更新 1 人" in back[-1]["text"]  # the example is 张伟, who is on the roster

    tasks = await c.zhang.send("/template 责任清单")
    assert _sheet_of(env, tasks[-1])[0][:3] == ("任务编号", "任务", "主责部门")

    assert "用法：" in await c.zhang.say("/template")
    assert "用法：" in await c.zhang.say("/template 工资表")
    assert "仅限" in await c.wang.say("/template 问卷")


async def test_the_task_import_reads_synonyms_and_owners_by_unique_name(env):
    c = await cast(env)
    new = await c.zhang.upload("清单.csv", sheet("A-1,消防演练,生产部,,王芳,2026-12-18",
                                                 "A-2,整理台账,生产部,财务部,1003,2026-12-20", header=SYNONYMS),
                               caption="/importtasks")
    assert "新增 2 项" in new[-1]["text"]
    async with env.db.session() as s:
        owners = dict((await s.execute(select(Task.task_no, Task.owner_id))).all())
    assert owners["A-1"] != owners["A-2"]
    await env.tick()
    assert any("消防演练" in t for t in c.wang.texts()) and any("整理台账" in t for t in c.li.texts())


async def test_a_name_two_members_share_is_refused_naming_both(env):
    c = await cast(env)
    await c.admin.upload("名单.csv", "工号,姓名,部门\n1008,王芳,财务部\n".encode("utf-8-sig"), caption="/roster")
    state = await snapshot(env.db)
    new = await c.zhang.upload("清单.csv", sheet("A-1,消防演练,生产部,,王芳,2026-12-18",
                                                 "A-2,整理台账,生产部,,王小芳,2026-12-20", header=SYNONYMS),
                               caption="/importtasks")
    text = new[-1]["text"]
    assert "第 2 行" in text and "第 3 行" in text and "什么也没有改变" in text
    assert "王芳（生产部，工号 1002）、王芳（财务部，工号 1008）" in text and "请改填责任人工号" in text
    assert "找不到名为“王小芳”的成员" in text
    assert await snapshot(env.db) == state


async def test_the_targets_template_comes_back_with_the_caption_targets_and_sets_every_row(env):
    c = await cast(env)
    sent = await c.admin.send("/template 目标")
    rows = _sheet_of(env, sent[-1])
    assert rows[0] == ("指标", "单位", "目标值", "完成日期", "变差幅度") and rows[1][:3] == ("党员教育覆盖率", "全公司", "90")
    assert "/targets" in sent[-1]["caption"]
    name, content = env.fake.files[sent[-1]["document"]["file_id"]]

    before = await snapshot(env.db)  # a secretary may read targets, not set them
    refused = await c.zhang.upload(name, content, caption="/targets")
    assert refused[-1]["text"] == refusal("zh", "not_allowed") and await snapshot(env.db) == before

    bad = sheet("党员教育覆盖率,全公司,90,2027-06-30,", "责任清单按时完成率,生产部,95,2020-01-01,5",
                header="指标,单位,目标值,完成日期,变差幅度")
    refused = await c.admin.upload("目标.csv", bad, caption="/targets")
    assert "第 3 行" in refused[-1]["text"] and await snapshot(env.db) == before  # the whole file, or nothing

    done = await c.admin.upload(name, content, caption="/targets")
    assert "已按文件设定 2 项目标" in done[-1]["text"]
    async with env.db.session() as s:
        got = {(t.key, t.value, t.margin) for t in (await s.execute(select(Target))).scalars()}
    assert got == {("lessons.coverage", 0.9, None), ("tasks.on_time_rate", 0.95, 0.05)}  # 5 points
