"""Education coverage (党员教育覆盖率), measured: per lesson, per unit or branch, and per period.

Audience is the snapshot taken at publish time; delivered means the push row in the outbox was sent;
learned means the reading time was kept or the quiz passed. Coverage is learned / audience as a fraction
(0..1, None when there is no audience); the average score is the mean first-attempt quiz score in percent.
A scope of unit ids keeps members whose department or branch (at publish time) is in it; None is all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, case, cast, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage import kpi, units
from storage.context import Context
from storage.lessons.models import PUBLISHED, Lesson, LessonAssignment
from storage.models.outbox import SENT, Outbox


@dataclass
class Figures:
    audience: int = 0
    delivered: int = 0
    learned: int = 0
    scored: int = 0
    avg_score: float | None = None

    @property
    def coverage(self) -> float | None:
        return self.learned / self.audience if self.audience else None

    @property
    def coverage_percent(self) -> int | None:
        return None if self.audience == 0 else round(100 * self.learned / self.audience)


def _push_key():
    # Same shape as storage.lessons.push_key, in SQL, to reach the push row through its unique index.
    return (literal("lesson:") + cast(LessonAssignment.lesson_id, String) + literal(":push:")
            + cast(LessonAssignment.member_id, String))


def _scope(unit_ids: set[int] | None):
    if unit_ids is None:
        return true()
    ids = list(unit_ids)
    return or_(LessonAssignment.unit_id.in_(ids), LessonAssignment.branch_id.in_(ids))


def _measures():
    return (func.count(LessonAssignment.id),
            func.coalesce(func.sum(case((Outbox.status == SENT, 1), else_=0)), 0),
            func.count(LessonAssignment.learned_at),
            func.count(LessonAssignment.first_score),
            func.avg(LessonAssignment.first_score))


def _figures(audience, delivered, learned, scored, avg) -> Figures:
    return Figures(int(audience), int(delivered or 0), int(learned), int(scored),
                   None if avg is None else round(float(avg), 1))


async def by_lesson(session: AsyncSession, lesson_ids: list[int], *, unit_ids: set[int] | None = None,
                    group: str | None = None) -> dict:
    """{lesson_id: Figures}, or with group="branch"/"unit" {lesson_id: {unit_id|None: Figures}}."""
    if not lesson_ids:
        return {}
    key_cols = [LessonAssignment.lesson_id]
    if group is not None:
        key_cols.append(LessonAssignment.branch_id if group == "branch" else LessonAssignment.unit_id)
    rows = (await session.execute(
        select(*key_cols, *_measures())
        .select_from(LessonAssignment)
        .outerjoin(Outbox, Outbox.dedupe_key == _push_key())
        .where(LessonAssignment.lesson_id.in_(lesson_ids), _scope(unit_ids))
        .group_by(*key_cols)
    )).all()
    out: dict = {}
    for row in rows:
        if group is None:
            out[row[0]] = _figures(*row[1:])
        else:
            out.setdefault(row[0], {})[row[1]] = _figures(*row[2:])
    return out


async def lesson_figures(session: AsyncSession, lesson_id: int, *, unit_ids: set[int] | None = None) -> Figures:
    return (await by_lesson(session, [lesson_id], unit_ids=unit_ids)).get(lesson_id, Figures())


async def lesson_breakdown(session: AsyncSession, lesson_id: int, *, unit_ids: set[int] | None = None,
                           group: str = "branch") -> list[tuple[int | None, str | None, Figures]]:
    """(unit id, unit name, figures) per branch (or department) of the lesson's audience, by name."""
    groups = (await by_lesson(session, [lesson_id], unit_ids=unit_ids, group=group)).get(lesson_id, {})
    names = await units.names(session, [g for g in groups if g is not None])
    return sorted(((g, names.get(g), f) for g, f in groups.items()), key=lambda t: (t[1] is None, t[1] or ""))


async def period_figures(session: AsyncSession, *, start: datetime, end: datetime,
                         unit_ids: set[int] | None = None) -> tuple[int, Figures]:
    """(lessons published in [start, end) with an audience in scope, their summed figures)."""
    row = (await session.execute(
        select(func.count(func.distinct(LessonAssignment.lesson_id)), *_measures())
        .select_from(LessonAssignment)
        .join(Lesson, Lesson.id == LessonAssignment.lesson_id)
        .outerjoin(Outbox, Outbox.dedupe_key == _push_key())
        .where(Lesson.status == PUBLISHED, Lesson.published_at >= start, Lesson.published_at < end,
               _scope(unit_ids))
    )).one()
    return int(row[0]), _figures(*row[1:])


async def period_breakdown(session: AsyncSession, *, start: datetime, end: datetime,
                           unit_ids: set[int] | None = None,
                           group: str = "branch") -> list[tuple[int | None, str | None, Figures]]:
    """(unit id, unit name, figures summed over the lessons published in [start, end)) per branch (or
    department), by name: which branches keep up across a month, not only on one lesson."""
    column = LessonAssignment.branch_id if group == "branch" else LessonAssignment.unit_id
    rows = (await session.execute(
        select(column, *_measures())
        .select_from(LessonAssignment)
        .join(Lesson, Lesson.id == LessonAssignment.lesson_id)
        .outerjoin(Outbox, Outbox.dedupe_key == _push_key())
        .where(Lesson.status == PUBLISHED, Lesson.published_at >= start, Lesson.published_at < end,
               _scope(unit_ids))
        .group_by(column)
    )).all()
    names = await units.names(session, [r[0] for r in rows if r[0] is not None])
    return sorted(((r[0], names.get(r[0]), _figures(*r[1:])) for r in rows),
                  key=lambda t: (t[1] is None, t[1] or ""))


@kpi.indicator("lessons", order=20)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """The lessons' part of /kpi: lessons published in [start, end) and their coverage in the scope.

    `coverage` is a fraction (0..1); `avg_score` is in percent (0..100); both None when there is nothing
    to measure.
    """
    lessons_published, f = await period_figures(session, start=start, end=end, unit_ids=unit_ids)
    return {"lessons_published": lessons_published, "audience": f.audience, "learned": f.learned,
            "coverage": f.coverage, "avg_score": f.avg_score}


async def recent_coverage(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, days: int = 60,
                          limit: int = 5) -> list[dict]:
    """For /lessons (staff): recent lessons with an audience in scope, each with its per-branch figures."""
    since = ctx.now() - timedelta(days=days)
    recent = (await session.execute(
        select(Lesson.id, Lesson.title, Lesson.published_at)
        .where(Lesson.status == PUBLISHED, Lesson.published_at >= since,
               Lesson.id.in_(select(LessonAssignment.lesson_id).where(_scope(unit_ids))))
        .order_by(Lesson.published_at.desc(), Lesson.id.desc()).limit(limit)
    )).all()
    ids = [r.id for r in recent]
    totals = await by_lesson(session, ids, unit_ids=unit_ids)
    groups = await by_lesson(session, ids, unit_ids=unit_ids, group="branch")
    names = await units.names(session, {g for per in groups.values() for g in per if g is not None})
    out = []
    for r in recent:
        branches = sorted(((names.get(g), f) for g, f in groups.get(r.id, {}).items()),
                          key=lambda t: (t[0] is None, t[0] or ""))
        out.append({"id": r.id, "title": r.title, "published_at": r.published_at.astimezone(ctx.tz),
                    "total": totals.get(r.id, Figures()), "branches": branches})
    return out



MEASURES = kpi.measures(
    kpi.Measure("lessons.coverage", "党员教育覆盖率", "lesson coverage",
                "当月发布的微党课中，已学（读满时长或测验及格）人次占应学人次的比例",
                "Of the members each lesson published in the month was sent to, the share who learned it "
                "(read it through or passed its quiz)", "%"),
    kpi.Measure("lessons.avg_score", "测验平均得分", "quiz average score",
                "当月微党课测验首次作答得分（百分制）的平均值", "Mean first-attempt quiz score (out of 100) of the "
                "month's lessons", "score"),
)
