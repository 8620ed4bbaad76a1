"""Lesson files: Markdown in, a checked lesson out; and the Markdown body to Telegram HTML in parts.

A lesson is Markdown: the first `#` heading is the title, the body follows, and an optional `## Quiz`
(`## 测验`) section holds questions: `Q: …`, options `- [x] right` / `- [ ] wrong`, optional `> explanation`.
Every problem is reported with its line number, all at once, before anything is stored.

Only a small safe subset becomes HTML (headings, bold, italic, lists, code, links, quotes); everything else
is escaped. `split_html` cuts at Telegram's 4,096-character limit, preferring line ends, and never inside a
tag or an entity: tags open at a cut are closed and opened again in the next part. `from_entities` puts
back the Markdown marks a Telegram client turned into formatting when a lesson is typed into the chat.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from storage.errors import InvalidFile, Problem

TELEGRAM_LIMIT = 4096
MAX_SOURCE_CHARS = 60_000
MAX_OPTIONS = 8
QUIZ_HEADINGS = {"quiz", "测验", "测试", "小测验", "随堂测验", "测一测"}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_QUESTION = re.compile(r"^(?:Q|q|问|题)\s*[:：]\s*(.*)$")
_OPTION = re.compile(r"^[-*+]\s*\[([ xX✓√])\]\s*(.*)$")
_EXPLANATION = re.compile(r"^>\s?(.*)$")


@dataclass
class Question:
    text: str
    options: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    explanation: str | None = None
    line: int = 0

    def as_dict(self) -> dict:
        return {"q": self.text, "options": self.options, "answer": self.answers[0],
                "explanation": self.explanation}


@dataclass
class ParsedLesson:
    title: str
    body: str
    quiz: list[dict]

    @property
    def plain_length(self) -> int:
        """Characters a reader reads (Markdown marks and spaces left out): the basis of the reading time."""
        return len(re.sub(r"[\s#*_`>\[\]()-]", "", self.body))


def decode(data: bytes) -> str:
    """Text of an uploaded `.md` file: UTF-8 (with or without BOM) or GB18030, as Chinese editors save."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidFile([Problem(None, "file_encoding")])


def parse(text: str) -> ParsedLesson:
    """The lesson in `text`, or InvalidFile listing every problem with its line number."""
    problems: list[Problem] = []
    if len(text) > MAX_SOURCE_CHARS:
        raise InvalidFile([Problem(None, "lesson_too_long", {"limit": MAX_SOURCE_CHARS, "length": len(text)})])
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, title_line = None, 0
    body: list[str] = []
    quiz_line = 0
    quiz_lines: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if quiz_line:
            quiz_lines.append((number, stripped))
            continue
        m = _HEADING.match(stripped)
        if title is None:
            if not stripped:
                continue
            if m and len(m.group(1)) == 1 and m.group(2):
                title, title_line = m.group(2), number
                continue
            problems.append(Problem(None, "lesson_no_title", {"line": number}))
            title = ""  # report once, keep checking the rest
            continue
        if m and len(m.group(1)) == 2 and m.group(2).strip().lower() in QUIZ_HEADINGS:
            quiz_line = number
            continue
        body.append(line)
    if title is None:
        raise InvalidFile([Problem(None, "lesson_no_title", {"line": 1})])
    if title and len(title) > 200:
        problems.append(Problem(None, "lesson_title_too_long", {"line": title_line, "limit": 200}))
    body_text = "\n".join(body).strip("\n")
    if not body_text.strip():
        problems.append(Problem(None, "lesson_empty", {"line": title_line or 1}))
    questions = _parse_quiz(quiz_lines, problems)
    if quiz_line and not questions and not problems:
        problems.append(Problem(None, "lesson_quiz_empty", {"line": quiz_line}))
    if problems:
        raise InvalidFile(problems)
    return ParsedLesson(title=title, body=body_text, quiz=[q.as_dict() for q in questions])


def _parse_quiz(lines: list[tuple[int, str]], problems: list[Problem]) -> list[Question]:
    questions: list[Question] = []
    current: Question | None = None
    for number, line in lines:
        if not line:
            continue
        if m := _QUESTION.match(line):
            if not m.group(1).strip():
                problems.append(Problem(None, "lesson_quiz_bad_line", {"line": number, "text": line}))
            current = Question(m.group(1).strip(), line=number)
            questions.append(current)
        elif m := _OPTION.match(line):
            if current is None or current.explanation is not None:
                problems.append(Problem(None, "lesson_quiz_bad_line", {"line": number, "text": line}))
                continue
            if m.group(1) != " ":
                current.answers.append(len(current.options))
            current.options.append(m.group(2).strip())
        elif m := _EXPLANATION.match(line):
            if current is None:
                problems.append(Problem(None, "lesson_quiz_bad_line", {"line": number, "text": line}))
                continue
            current.explanation = ((current.explanation + "\n") if current.explanation else "") + m.group(1).strip()
        else:
            problems.append(Problem(None, "lesson_quiz_bad_line", {"line": number, "text": line}))
    for q in questions:
        if not 2 <= len(q.options) <= MAX_OPTIONS:
            problems.append(Problem(None, "lesson_quiz_options", {"line": q.line, "count": len(q.options),
                                                                 "limit": MAX_OPTIONS}))
        elif len(q.answers) != 1:
            problems.append(Problem(None, "lesson_quiz_answer", {"line": q.line, "count": len(q.answers)}))
    return questions


# --- text typed in Telegram back to Markdown -------------------------------------------------------

_MARKS = {"bold": ("**", "**"), "italic": ("*", "*"), "code": ("`", "`")}


def from_entities(text: str, entities: list[tuple[str, int, int, str | None]]) -> str:
    """The Markdown a secretary meant, from a typed message: Telegram clients turn `**bold**`, `` `code` ``
    and the like into formatting entities and drop the marks, so they are put back from the entities
    (type, UTF-16 offset, UTF-16 length, url). Formatting outside the lesson subset is dropped."""
    if not entities:
        return text
    index, at = {0: 0}, 0  # UTF-16 offset -> str index
    for i, ch in enumerate(text):
        at += len(ch.encode("utf-16-le")) // 2
        index[at] = i + 1
    inserts: list[tuple[int, int, int, str]] = []  # (position, closes first, nesting order, text)
    for kind, offset, length, url in entities:
        start, end = index.get(offset), index.get(offset + length)
        if start is None or end is None or start >= end:
            continue
        if kind == "pre":
            before = "" if start == 0 or text[start - 1] == "\n" else "\n"
            after = "" if end == len(text) or text[end] == "\n" else "\n"
            inserts += [(start, 1, -(end - start), before + "```\n"), (end, 0, end - start, "\n```" + after)]
            continue
        if kind == "text_link" and url and _SAFE_URL.match(url):
            marks = ("[", f"]({url})")
        elif kind in _MARKS and not (kind == "code" and "`" in text[start:end]):
            marks = _MARKS[kind]
        else:
            continue
        line_start = start
        for piece in text[start:end].split("\n"):  # marks are per line, as the inline parser reads them
            lead = len(piece) - len(piece.lstrip())
            core = piece.strip()
            if core:
                a = line_start + lead
                inserts += [(a, 1, -len(core), marks[0]), (a + len(core), 0, len(core), marks[1])]
            line_start += len(piece) + 1
    out, pos = [], 0
    for position, _, _, mark in sorted(inserts):
        out.append(text[pos:position])
        out.append(mark)
        pos = position
    out.append(text[pos:])
    return "".join(out)


# --- Markdown to Telegram HTML -------------------------------------------------------------------

_INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\[(?P<ltext>[^\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<bold2>.+?)__"
    r"|\*(?P<ital>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|(?<![\w])_(?P<ital2>[^_\s](?:[^_]*[^_\s])?)_(?![\w])"
)
_SAFE_URL = re.compile(r"^(https?://|tg://)", re.I)


def _inline(text: str) -> str:
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos:m.start()], quote=False))
        pos = m.end()
        if m.group("code") is not None:
            out.append(f"<code>{html.escape(m.group('code'), quote=False)}</code>")
        elif m.group("url") is not None:
            label = _inline(m.group("ltext"))
            if _SAFE_URL.match(m.group("url")):
                out.append(f'<a href="{html.escape(m.group("url"), quote=True)}">{label}</a>')
            else:
                out.append(label)
        elif m.group("bold") is not None or m.group("bold2") is not None:
            out.append(f"<b>{_inline(m.group('bold') or m.group('bold2'))}</b>")
        else:
            out.append(f"<i>{_inline(m.group('ital') or m.group('ital2'))}</i>")
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


_LIST = re.compile(r"^(\s*)(?:[-*+]|(\d+)[.)])\s+(.*)$")


def to_html(markdown: str) -> str:
    """Telegram HTML for a lesson body; anything outside the subset is shown as typed, escaped."""
    out: list[str] = []
    in_code = False
    code: list[str] = []
    quote: list[str] = []

    def flush_quote():
        if quote:
            out.append("<blockquote>" + "\n".join(quote) + "</blockquote>")
            quote.clear()

    for line in markdown.split("\n"):
        if line.strip().startswith("```"):
            if in_code:
                out.append("<pre>" + html.escape("\n".join(code), quote=False) + "</pre>")
                code.clear()
                in_code = False
            else:
                flush_quote()
                in_code = True
            continue
        if in_code:
            code.append(line)
            continue
        stripped = line.strip()
        if stripped.startswith(">"):
            quote.append(_inline(stripped[1:].strip()))
            continue
        flush_quote()
        if m := _HEADING.match(stripped):
            out.append(f"<b>{_inline(m.group(2))}</b>")
        elif m := _LIST.match(line):
            indent = "  " * (len(m.group(1).replace("\t", "  ")) // 2)
            mark = f"{m.group(2)}." if m.group(2) else "•"
            out.append(f"{indent}{mark} {_inline(m.group(3))}")
        elif re.fullmatch(r"[-*_]{3,}", stripped):
            out.append("──────")
        else:
            out.append(_inline(stripped))
    flush_quote()
    if in_code:  # an unclosed fence: show what was there
        out.append("<pre>" + html.escape("\n".join(code), quote=False) + "</pre>")
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- splitting ------------------------------------------------------------------------------------

_UNIT = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|\n|[^<&\n]")


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), never less than Python's."""
    return len(text.encode("utf-16-le")) // 2


def _tag(unit: str) -> tuple[str, str] | None:
    """("open"|"close", name) for a tag unit."""
    m = re.match(r"<(/?)([a-zA-Z0-9]+)", unit)
    if not m:
        return None
    return ("close" if m.group(1) else "open"), m.group(2).lower()


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, each with balanced tags, cut at a line end where possible."""
    if tg_len(text) <= limit:
        return [text]
    units = _UNIT.findall(text)
    lengths = [tg_len(u) for u in units]
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, opening tag) open at the start of the part being built
    i = 0
    while i < len(units):
        start_stack = list(stack)
        prefix = "".join(t for _, t in start_stack)
        length = tg_len(prefix)
        j, best = i, None
        while j < len(units):
            unit = units[j]
            tag = _tag(unit) if unit.startswith("<") else None
            new_stack = stack
            if tag and tag[0] == "open":
                new_stack = stack + [(tag[1], unit)]
            elif tag and tag[0] == "close" and stack and stack[-1][0] == tag[1]:
                new_stack = stack[:-1]
            new_closing = sum(len(n) + 3 for n, _ in new_stack)
            if length + lengths[j] + new_closing > limit:
                break
            length += lengths[j]
            stack = new_stack
            j += 1
            if unit == "\n":
                best = (j, list(stack), length)
        if j == i:
            raise ValueError("a single tag is longer than a Telegram message")
        if j < len(units) and best is not None and best[2] >= limit // 2:
            j, stack = best[0], best[1]
        body = prefix + "".join(units[i:j]) + "".join(f"</{n}>" for n, _ in reversed(stack))
        if re.sub(r"<[^>]*>", "", body).strip():
            parts.append(body.strip("\n"))
        i = j
    return parts
