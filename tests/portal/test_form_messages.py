"""Residents' forms speak plain Chinese with Chinese punctuation, Django's defaults included."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation

HALF_WIDTH = set("(),;!?")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]")

# Django's defaults a resident can meet on a form (locale/overrides rewords them).
DEFAULTS = [
    "This field is required.",
    "Enter a valid value.",
    "Enter a whole number.",
    "Enter a number.",
    "Enter a valid date.",
    "Enter a valid email address.",
    "Select a valid choice. %(value)s is not one of the available choices.",
    "Select a valid choice. That choice is not one of the available choices.",
    "Ensure this value is less than or equal to %(limit_value)s.",
    "Ensure this value is greater than or equal to %(limit_value)s.",
    "No file was submitted. Check the encoding type on the form.",
    "The submitted file is empty.",
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
    "File extension “%(extension)s” is not allowed. Allowed extensions are: "
    "%(allowed_extensions)s.",
]


@pytest.mark.parametrize("message", DEFAULTS)
def test_each_default_message_is_reworded_with_chinese_punctuation(message):
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    assert text != message
    assert not set(PLACEHOLDER.sub("", text)) & HALF_WIDTH, text
    assert text.endswith("。"), text


class _Form(forms.Form):
    name = forms.CharField(label="姓名", max_length=5)
    day = forms.DateField(label="日期")
    count = forms.IntegerField(label="人数", max_value=9)


def test_a_form_shows_the_reworded_messages():
    with translation.override("zh-hans"):
        form = _Form({"name": "一二三四五六七", "day": "明天", "count": "12"})
        assert not form.is_valid()
        assert form.errors["name"] == ["最多填写 5 个字（现在是 7 个）。"]
        assert form.errors["day"][0].startswith("请填写正确的日期")
        assert form.errors["count"] == ["请填写不大于 9 的数。"]
        assert _Form({}).errors["name"] == ["请填写此项。"]
        assert "姓名：" in str(_Form()["name"].label_tag())


def test_a_residents_page_shows_them(client, resident):
    client.force_login(resident)
    response = client.post("/residence/me/", {"step": "check"})
    assert "请填写此项。" in response.content.decode()
