"""Lesson fixtures for the tests: a lesson file with a quiz, and publishing straight through storage."""
from __future__ import annotations

from storage import lessons
from storage.lessons import parse

LESSON_MD = """# 学习党章：党员的义务

党章规定了党员必须履行的**八项义务**。本课学习其中最重要的几项。

## 一、认真学习

- 学习马克思列宁主义、毛泽东思想
- 学习党的路线、方针、政策和决议

更多内容见 [党章全文](https://www.12371.cn/special/dz/)。

## Quiz

Q: 党章规定党员有几项义务？
- [ ] 六项
- [x] 八项
- [ ] 十项
> 党章第三条规定了党员的八项义务。

Q: 党员首先要做的是？
- [x] 认真学习
- [ ] 只管工作
> 学习是第一项义务。

Q: 党的最高理想是？
- [x] 实现共产主义
- [ ] 发家致富
"""


async def publish(env, text: str = LESSON_MD, *, audience: str = "branch:第一支部", **options) -> int:
    """Store a lesson due now and let one tick publish and deliver it; returns the lesson id."""
    async with env.db.session() as session:
        lesson = await lessons.create(session, env.ctx, parse(text), audience=audience, **options)
        lesson_id = lesson.id
    await env.tick()
    return lesson_id


def utf16(text: str, part: str) -> tuple[int, int]:
    """(offset, length) of `part` in `text` as Telegram counts them (UTF-16 code units)."""
    start = text.index(part)
    return len(text[:start].encode("utf-16-le")) // 2, len(part.encode("utf-16-le")) // 2


async def send_formatted(env, person, text: str, entities: list[dict]) -> list[dict]:
    """What Telegram Desktop sends for typed `**bold**` or a pasted link: the marks gone, entities instead."""
    return await person._after(env.fake.send_text(person.id, text, entities=entities))
