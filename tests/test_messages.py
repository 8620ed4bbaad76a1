"""Every template exists in both languages and renders with its sample context."""
from __future__ import annotations

import re

import pytest

from messages import LANGUAGES, render, template_names
from messages.samples import all_samples


def test_every_template_exists_in_both_languages():
    zh, en = template_names("zh"), template_names("en")
    assert zh - en == set(), f"missing in en: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in zh: {sorted(en - zh)}"


def test_every_template_has_a_sample():
    missing = template_names("zh") - set(all_samples())
    assert not missing, f"templates without a sample in messages/samples: {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders(lang):
    samples = all_samples()
    for name in sorted(template_names(lang)):
        text = render(lang, name, **samples[name])
        assert text.strip(), f"{lang}/{name} rendered empty"


def test_user_text_is_escaped():
    assert "&lt;b&gt;" in render("zh", "welcome_back", name="<b>")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_list_items_never_run_into_each_other(lang):
    """A `{% endif %}` at the end of a list line eats its newline (trim_blocks): the items then share a line."""
    samples = all_samples()
    for name in sorted(template_names(lang)):
        for line in render(lang, name, **samples[name]).splitlines():
            assert len(re.findall(r"\S[·•] ", line)) == 0, f"{lang}/{name}: {line}"
