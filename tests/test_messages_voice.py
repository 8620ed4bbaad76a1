"""One voice in Chinese: every zh template addresses the reader as 您 and carries no English word
except commands (/xxx), placeholders, file extensions and the names listed here."""
from __future__ import annotations

import re
from pathlib import Path

import messages

ZH = Path(messages.__file__).parent / "zh"

# The campaign's name ("you speak, we act"), printed as the organisation writes it; it does not address the reader.
NAMES_WITH_NI = ("你说我做",)

# Unavoidable names: encodings and formats a secretary picks in Excel/WPS's "save as", and the size unit.
# The audience words are typed syntax (until the Chinese audience forms are accepted everywhere).
ALLOWED_WORDS = {
    "CSV", "UTF", "GBK", "MB",
    "all", "unit", "branch", "party", "role",
}

_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]+>|&\w+;", re.S)
_COMMAND = re.compile(r"/[a-z_]+")
_EXTENSION = re.compile(r"\.[a-z]{2,4}\b")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _text(path: Path) -> str:
    """The template's own words: placeholders, tags, entities, commands and file extensions removed."""
    text = _MARKUP.sub(" ", path.read_text(encoding="utf-8"))
    return _EXTENSION.sub(" ", _COMMAND.sub(" ", text))


def test_every_zh_template_says_nin_not_ni():
    offenders = {}
    for path in sorted(ZH.glob("*.j2")):
        text = _text(path)
        for name in NAMES_WITH_NI:
            text = text.replace(name, "")
        if "你" in text:
            offenders[path.name] = [line for line in text.splitlines() if "你" in line]
    assert not offenders, f"zh templates addressing the reader as 你: {offenders}"


def test_no_english_word_in_a_zh_template():
    offenders = {}
    for path in sorted(ZH.glob("*.j2")):
        words = set(_WORD.findall(_text(path))) - ALLOWED_WORDS
        if words:
            offenders[path.name] = sorted(words)
    assert not offenders, f"English words in zh templates: {offenders}"


def test_the_check_catches_both():
    sample = "请{{ name }}确认：你的 Telegram 帐号 /start"
    cleaned = _MARKUP.sub(" ", sample)
    assert "你" in cleaned and set(_WORD.findall(_COMMAND.sub(" ", cleaned))) == {"Telegram"}
