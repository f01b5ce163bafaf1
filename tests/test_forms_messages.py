"""marshmallow's own messages reach users in Chinese, naming the field."""
from marshmallow import Schema, ValidationError, fields

from core.forms import validation_violations, zh_message
from core.i18n import T


class _Config(Schema):
    limit = fields.Decimal(places=2, as_string=True, metadata={"label": T("上限（元）", "Limit (yuan)")})


def test_nan_is_refused_in_chinese_naming_the_field():
    try:
        _Config().load({"limit": "NaN"})
    except ValidationError as err:
        (v,) = validation_violations(err, prefix="config", schema=_Config())
    assert v.field == "config.limit"
    assert v.message.zh.startswith("上限（元）：") and "NaN" in v.message.zh and "Special" not in v.message.zh
    assert "Special numeric values" in v.message.en


def test_unknown_messages_pass_through_unchanged():
    assert zh_message("某个插件自己的中文提示") == "某个插件自己的中文提示"
