"""A meeting's time as a secretary types it on a phone: "明天下午三点", "下午2:30", "今天15:00", "后天上午9点半",
"12月18日 15点", "12-18 14:30", "周五下午3点", "下周一上午9点", besides the contract's "2026-12-18 14:30" and
ISO 8601. Everything else is refused with examples, and so is a time already past. A bare hour from 1 to 6 with no 上午/下午 is refused as
ambiguous: nobody holds a branch meeting at three in the morning, but guessing the afternoon could be wrong."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from storage import calendar
from storage.context import Context
from storage.errors import Refused

_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_SHORT = {"今晚": ("今天", "晚上"), "明晚": ("明天", "晚上"), "明早": ("明天", "早上")}
_AM, _NOON, _PM = ("凌晨", "早上", "早晨", "上午"), ("中午",), ("下午", "傍晚", "晚上")
_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_FORM = re.compile(
    r"^(?:(?P<rel>大后天|今天|今日|明天|明日|后天|今晚|明晚|明早)"
    r"|(?P<week>下|本|这)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
    r"|(?:(?P<y>\d{4})(?:年|[-/.]))?(?P<m>\d{1,2})(?:月|[-/.])(?P<d>\d{1,2})[日号]?)?"
    r"(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?"
    rf"(?:(?P<h>{_NUM})(?:[:](?P<mi>\d{{2}})|[点时](?:(?P<half>半)|(?P<quarter>[一三])刻|(?P<mi2>{_NUM})分?)?))?$")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int | None:
    """"15", "十五", "二十三", "两", "零五" as an int; None for what is not a number up to 99."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
            return None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    if all(c in _DIGITS for c in text) and len(text) <= 2:
        return int("".join(str(_DIGITS[c]) for c in text))
    return None


def _hour(hour: int, period: str | None, value: str) -> int | None:
    """The hour of the day (0-23) a typed hour means with its 上午/下午; None when it cannot."""
    if period is None:
        if 1 <= hour <= 6:
            raise Refused("orglife_time_ambiguous", value=value)
        return hour if hour <= 23 else None
    if period in _AM:
        return hour if hour <= 12 else None
    if period in _NOON:
        return hour + 12 if 1 <= hour <= 2 else (hour if 11 <= hour <= 14 else None)
    if period == "下午" and hour == 12:
        return 12
    return hour + 12 if 1 <= hour <= 11 else (hour if 12 < hour <= 23 else None)


def _day(m: re.Match, today: date) -> date | None:
    if m.group("rel"):
        return today + timedelta(days=_DAYS[m.group("rel")])
    if m.group("wd"):
        # "周五": the coming Friday, today included (an hour already past is then refused as past, not moved a
        # week on); "本周五"/"这周五": this week's, Monday to Sunday; "下周五": next week's.
        weekday = _WEEKDAYS[m.group("wd")]
        if m.group("week") is None:
            return today + timedelta(days=(weekday - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=m.group("week") == "下")
        return monday + timedelta(days=weekday)
    if m.group("m"):
        month, day = int(m.group("m")), int(m.group("d"))
        # no year: this year's day, or next year's when this year's is months gone ("1-5" typed in December)
        year = int(m.group("y")) if m.group("y") else today.year + (today.month - month > 6)
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return today


def _chinese(text: str, ctx: Context) -> datetime | None:
    """The moment a Chinese form names, None when the text is not one of them."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    for short, (rel, period) in _SHORT.items():
        if compact.startswith(short) and not compact.startswith(short + "上"):
            compact = rel + period + compact[len(short):]
    m = _FORM.match(compact)
    if not m or not compact:
        return None
    if m.group("h") is None:  # a day alone: a date keeps the contract's 09:00; "明天" or "下午" says too little
        if m.group("m") and not m.group("period"):
            day = _day(m, ctx.local_now().date())
            return calendar.at_local(day, time(9), ctx) if day else None
        return None
    hour = _number(m.group("h"))
    if m.group("half"):
        minute = 30
    elif m.group("quarter"):
        minute = 15 if m.group("quarter") == "一" else 45
    else:
        minute = _number(m.group("mi") or m.group("mi2") or "0")
    if hour is None or minute is None or minute > 59:
        return None
    hour = _hour(hour, m.group("period"), text)
    day = _day(m, ctx.local_now().date())
    if hour is None or day is None:
        return None
    return calendar.at_local(day, time(hour, minute), ctx)


def parse_at(text: str, ctx: Context) -> datetime:
    """The meeting's start as aware UTC; refused when unreadable, ambiguous or past."""
    value = (text or "").strip()
    # the contract's forms ("2026-12-18 03:00" is what it says) before the Chinese ones
    moment = calendar.parse_moment(value, ctx, time(9)) if value[:4].isdigit() else None
    if moment is None and value:
        moment = _chinese(value, ctx)
    if moment is None:
        raise Refused("orglife_bad_time", value=value)
    if moment <= ctx.now():
        raise Refused("orglife_in_past", value=value)
    return moment
