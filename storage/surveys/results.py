"""Survey results people can act on, and never below the minimum group size.

Every figure is computed from the anonymous responses. A question, a text list or a department's
breakdown that rests on fewer than `min_group_size` respondents is withheld with its reason, while the
survey is open too. When exactly the withheld departments would add up to a small group that could be
worked out by subtraction (total minus the shown ones), the next smallest department is withheld as well.

Anonymous answers are counted in batches of at least `min_group_size` (sealed ballots, see
`storage.surveys.tally`), so two looks at an open survey differ by a whole batch or not at all: comparing
them cannot single out one person's answers.
"""
from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, exports, units
from storage.surveys import tally as surveys_tally
from storage.context import Context
from storage.models.org import Member
from storage.surveys.models import (Survey, SurveyAnswer, SurveyCompletion, SurveyNamedResponse, SurveyQuestion,
                                    SurveyResponse)

LOW_PARTICIPATION = 0.6
MESSAGE_LIMIT = 3500
TEXTS_IN_CHAT = 15


@dataclass
class OptionCell:
    label: str
    count: int
    pct: float


@dataclass
class QuestionResult:
    number: int
    question: SurveyQuestion
    answered: int
    withheld: bool
    options: list[OptionCell] = field(default_factory=list)
    average: float | None = None
    enps: int | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    texts: list[str] = field(default_factory=list)


class Participation:
    """Who was asked and who completed: the rate, flagged when low (for the survey and for each unit)."""

    invited: int
    done: int

    @property
    def rate(self) -> float | None:
        return self.done / self.invited if self.invited else None

    @property
    def low(self) -> bool:
        return self.rate is not None and self.rate < LOW_PARTICIPATION


@dataclass
class UnitRow(Participation):
    unit_id: int | None
    name: str
    invited: int
    done: int
    respondents: int
    withheld: bool
    averages: list[tuple[int, float]] = field(default_factory=list)  # (question number, average)


@dataclass
class Report(Participation):
    survey: Survey
    closed: bool
    invited: int
    done: int
    respondents: int
    withheld: bool
    questions: list[QuestionResult]
    units: list[UnitRow]
    pending: int = 0  # sealed ballots not counted yet (too few for a batch)
    unregistered: int = 0  # asked, but never registered with the bot: outside the base, said separately

    @property
    def total(self) -> int:
        return self.respondents + self.pending


def _enps(values: list[int]) -> tuple[int, int, int, int]:
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    passives = len(values) - promoters - detractors
    return round(100 * (promoters - detractors) / len(values)), promoters, passives, detractors


async def _answers(session: AsyncSession, survey_id: int):
    """Responses (id -> unit) and their answers, read once."""
    kept = [SurveyResponse.survey_id == survey_id]
    responses = dict((await session.execute(
        select(SurveyResponse.id, SurveyResponse.unit_id).where(*kept))).all())
    answers = (await session.execute(
        select(SurveyAnswer).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*kept).order_by(SurveyAnswer.response_id)
    )).scalars().all()
    return responses, answers


async def report(session: AsyncSession, ctx: Context, survey: Survey) -> Report:
    questions = list((await session.execute(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id).order_by(SurveyQuestion.position)
    )).scalars().all())
    minimum = survey.min_group_size
    closed = survey.closed_at is not None or ctx.now() >= survey.closes_at
    await surveys_tally.tally(session, ctx, survey)
    responses, answers = await _answers(session, survey.id)
    sealed = await surveys_tally.sealed(session, survey.id)
    by_question: dict[int, list[SurveyAnswer]] = defaultdict(list)
    for a in answers:
        by_question[a.question_id].append(a)
    respondents = len(responses)
    overall_withheld = respondents < minimum
    results = []
    for number, q in enumerate(questions, start=1):
        got = by_question.get(q.id, [])
        r = QuestionResult(number, q, len(got), withheld=overall_withheld or len(got) < minimum)
        if not r.withheld:
            _fill(r, q, got)
        results.append(r)
    rows = await _unit_rows(session, survey, questions, responses, answers)
    invited, done, unregistered = await _participation(session, survey.id)
    return Report(survey, closed, invited, done, respondents, overall_withheld, results, rows, pending=sealed,
                  unregistered=unregistered)


def _fill(r: QuestionResult, q: SurveyQuestion, got: list[SurveyAnswer]) -> None:
    n = len(got)
    if q.kind in ("single", "multi"):
        counts: Counter = Counter()
        for a in got:
            if q.kind == "single":
                counts[a.number] += 1
            else:
                counts.update(a.choices or [])
        r.options = [OptionCell(label, counts.get(i, 0), 100 * counts.get(i, 0) / n)
                     for i, label in enumerate(q.options)]
    elif q.kind in ("rating", "scale10"):
        values = [a.number for a in got if a.number is not None]
        scale = range(1, 6) if q.kind == "rating" else range(0, 11)
        counts = Counter(values)
        r.options = [OptionCell(str(v), counts.get(v, 0), 100 * counts.get(v, 0) / n) for v in scale]
        r.average = sum(values) / len(values) if values else None
        if q.kind == "scale10" and values:
            r.enps, r.promoters, r.passives, r.detractors = _enps(values)
    else:
        # Ordered by the random response id: no order of submission shows through.
        r.texts = [a.text for a in got if a.text]


async def _participation(session: AsyncSession, survey_id: int) -> tuple[int, int, int]:
    """(base, done, unregistered): the base is the members asked who registered with the bot (nobody else
    could be reached); those who never registered are counted apart."""
    rows = (await session.execute(
        select(SurveyCompletion.done, Member.telegram_user_id.is_not(None))
        .join(Member, Member.id == SurveyCompletion.member_id)
        .where(SurveyCompletion.survey_id == survey_id))).all()
    base = [d for d, registered in rows if registered or d]
    return len(base), sum(1 for d in base if d), len(rows) - len(base)


async def _unit_rows(session, survey: Survey, questions, responses: dict, answers) -> list[UnitRow]:
    asked = (await session.execute(
        select(Member.unit_id, SurveyCompletion.done).join(Member, Member.id == SurveyCompletion.member_id)
        .where(SurveyCompletion.survey_id == survey.id,
               Member.telegram_user_id.is_not(None) | SurveyCompletion.done.is_(True)))).all()
    invited: Counter = Counter()
    done: Counter = Counter()
    for unit_id, is_done in asked:
        invited[unit_id] += 1
        done[unit_id] += 1 if is_done else 0
    respondents = Counter(responses.values())
    names = await units.names(session, [u for u in set(invited) | set(respondents) if u is not None])
    rows = [UnitRow(u, names.get(u, ""), invited.get(u, 0), done.get(u, 0), respondents.get(u, 0),
                    withheld=respondents.get(u, 0) < survey.min_group_size)
            for u in sorted(set(invited) | set(respondents), key=lambda u: (u is None, names.get(u, ""), u or 0))]
    _protect_complement(rows, survey.min_group_size)
    scored = [(number, q) for number, q in enumerate(questions, start=1) if q.kind in ("rating", "scale10")]
    values: dict[tuple[int | None, int], list[int]] = defaultdict(list)
    for a in answers:
        if a.number is not None:
            values[(responses.get(a.response_id), a.question_id)].append(a.number)
    for row in rows:
        if row.withheld:
            continue
        for number, q in scored:
            got = values.get((row.unit_id, q.id), [])
            if len(got) >= survey.min_group_size:
                row.averages.append((number, sum(got) / len(got)))
    return rows


def _protect_complement(rows: list[UnitRow], minimum: int) -> None:
    """Withhold more departments while the withheld ones form a small group one could subtract out."""
    while True:
        hidden = sum(r.respondents for r in rows if r.withheld)
        shown = sorted((r for r in rows if not r.withheld), key=lambda r: r.respondents)
        if hidden == 0 or hidden >= minimum or not shown:
            return
        shown[0].withheld = True


# --- in the chat -------------------------------------------------------------------------------------------

def render_report(lang: str, rep: Report, ctx: Context, for_respondents: bool = False) -> list[str]:
    """The report as chat messages (split between questions to stay under Telegram's length limit)."""
    head = render(lang, "survey_results_head", title=rep.survey.title, survey_id=rep.survey.id, closed=rep.closed,
                  closes=calendar.local(rep.survey.closes_at, ctx), invited=rep.invited, done=rep.done,
                  rate=rep.rate, low=rep.low, respondents=rep.respondents, minimum=rep.survey.min_group_size,
                  withheld=rep.withheld, units=[] if for_respondents else rep.units, total=rep.total,
                  pending=rep.pending, unregistered=rep.unregistered,
                  anonymous=rep.survey.anonymous, low_mark=int(LOW_PARTICIPATION * 100))
    messages = [head]
    if rep.withheld:
        return messages
    current = ""
    for q in rep.questions:
        # Respondents see counts, never each other's words: a sentence can name its writer by what it says.
        texts = [] if for_respondents else q.texts[:TEXTS_IN_CHAT]
        block = render(lang, "survey_results_question", q=q, minimum=rep.survey.min_group_size, texts=texts,
                       more=0 if for_respondents else max(0, len(q.texts) - TEXTS_IN_CHAT),
                       words_kept=len(q.texts) if for_respondents else 0)
        if current and len(current) + len(block) > MESSAGE_LIMIT:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages


def charts(rep: Report) -> list[tuple[QuestionResult, bytes]]:
    """A bar chart PNG per shown choice or rating question.

    Bars are labelled with numbers only (the option texts go in the caption): the fonts on a server
    seldom carry Chinese glyphs, and a chart of empty boxes helps no one.
    """
    if rep.withheld:
        return []
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    out = []
    for q in rep.questions:
        if q.withheld or not q.options:
            continue
        fig = Figure(figsize=(6, 3.2), dpi=100)
        ax = fig.add_subplot()
        labels = [str(i + 1) for i in range(len(q.options))] if q.question.kind in ("single", "multi") \
            else [c.label for c in q.options]
        bars = ax.bar(labels, [c.count for c in q.options], color="#c0392b")
        for bar, cell in zip(bars, q.options):
            ax.annotate(f"{cell.pct:.0f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=8)
        ax.set_title(f"Q{q.number}  n={q.answered}")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(0, max([c.count for c in q.options] + [1]) * 1.2)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        out.append((q, buf.getvalue()))
    return out


# --- Excel ----------------------------------------------------------------------------------------------

async def export_xlsx(session: AsyncSession, ctx: Context, rep: Report, lang: str) -> bytes:
    """The aggregate (withheld cells say so) and, for named surveys only, each person's answers."""
    def h(key: str) -> str:
        return render(lang, "survey_export_header", key=key)

    wb = exports.XlsxWriter()
    ws = wb.sheet(h("sheet_summary"))
    ws.append([h("title"), rep.survey.title])
    ws.append([h("status"), h("closed") if rep.closed else h("open")])
    ws.append([h("closes"), calendar.local(rep.survey.closes_at, ctx).strftime("%Y-%m-%d %H:%M")])
    ws.append([h("anonymous"), h("yes") if rep.survey.anonymous else h("no")])
    ws.append([h("min_group"), rep.survey.min_group_size])
    ws.append([h("invited"), rep.invited])
    ws.append([h("done"), rep.done])
    ws.append([h("rate"), round(rep.rate, 4) if rep.rate is not None else None])
    withheld = h("withheld")

    qs = wb.sheet(h("sheet_questions"))
    qs.append([h("number"), h("question"), h("kind"), h("answer"), h("count"), h("percent"), h("average"),
               h("enps")])
    for q in rep.questions:
        kind = h("kind_" + q.question.kind)
        if q.withheld:
            qs.append([q.number, q.question.text, kind, withheld])
            continue
        for cell in q.options:
            qs.append([q.number, q.question.text, kind, cell.label, cell.count, round(cell.pct, 1)])
        if q.average is not None or q.enps is not None:
            qs.append([q.number, q.question.text, kind, None, q.answered, None,
                       round(q.average, 2) if q.average is not None else None, q.enps])
        for text in q.texts:
            qs.append([q.number, q.question.text, kind, text])

    us = wb.sheet(h("sheet_units"))
    scored = [q for q in rep.questions if q.question.kind in ("rating", "scale10")]
    us.append([h("unit"), h("invited"), h("done"), h("rate"), *[f"Q{q.number} {h('average')}" for q in scored]])
    for row in (r for r in rep.units if r.invited):  # a row of only unfiled responses is no department
        averages = dict(row.averages)
        us.append([row.name or h("no_unit"), row.invited, row.done,
                   round(row.rate, 4) if row.rate is not None else None,
                   *[(withheld if row.withheld or q.number not in averages else round(averages[q.number], 2))
                     for q in scored]])

    if not rep.survey.anonymous:
        ps = wb.sheet(h("sheet_people"))
        questions = [q.question for q in rep.questions]
        ps.append([h("employee_no"), h("name"), *[f"Q{i}" for i in range(1, len(questions) + 1)]])
        people = (await session.execute(
            select(SurveyNamedResponse.response_id, Member.employee_no, Member.name)
            .join(Member, Member.id == SurveyNamedResponse.member_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyNamedResponse.response_id)
            .where(SurveyResponse.survey_id == rep.survey.id).order_by(Member.employee_no))).all()
        answers = (await session.execute(
            select(SurveyAnswer).where(SurveyAnswer.response_id.in_([p[0] for p in people])))).scalars().all()
        given = {(a.response_id, a.question_id): a for a in answers}
        for rid, employee_no, name in people:
            ps.append([employee_no, name, *[_answer_cell(q, given.get((rid, q.id))) for q in questions]])
    return wb.to_bytes()


def _answer_cell(q: SurveyQuestion, a: SurveyAnswer | None):
    if a is None:
        return None
    if q.kind == "single":
        return q.options[a.number] if a.number is not None and a.number < len(q.options) else None
    if q.kind == "multi":
        return " | ".join(q.options[i] for i in (a.choices or []) if i < len(q.options))
    if q.kind == "text":
        return a.text
    return a.number
