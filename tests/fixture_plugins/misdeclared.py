"""Plugins that declare themselves wrongly, one mistake each. The host must keep each of them
out (listed in ``load_errors``) while the other plugins keep working."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import PolicyInfo, T, Track, hookimpl


class EmptyConfig(Schema):
    pass


def info(name: str, schema: type[Schema] = EmptyConfig, **kw) -> PolicyInfo:
    return PolicyInfo(name=name, title=T("测试", "Test"), version="1", config_schema=schema,
                      source=T("《测试》", "Test"), **kw)


class ReturnsGarbage:
    @hookimpl
    def tongxin_policy(self):
        return {"name": "fixture_garbage", "title": "not a PolicyInfo"}


class WrongName:
    @hookimpl
    def tongxin_policy(self):
        return info("somebody_else")


class NegativeDefault(Schema):
    # marshmallow does not validate load_default: only a round trip notices -1 < 0.
    max_yuan = fields.Integer(load_default=-1, validate=validate.Range(min=0))


class BadDefaults:
    @hookimpl
    def tongxin_policy(self):
        return info("fixture_bad_defaults", NegativeDefault)


class RequiredWithoutDefault(Schema):
    street_code = fields.String(required=True)


class MissingDefault:
    @hookimpl
    def tongxin_policy(self):
        return info("fixture_missing_default", RequiredWithoutDefault)


class UnknownLevel:
    @hookimpl
    def tongxin_policy(self):
        return info("fixture_unknown_level", programme_level="province")


class RaisesInPolicy:
    @hookimpl
    def tongxin_policy(self):
        raise KeyError("config")


class NoPolicy:
    """Implements rules but never says which policy it is."""

    @hookimpl
    def tongxin_tracks(self, config):
        return [Track("x", T("x", "x"))]


class TypoHook:
    @hookimpl
    def tongxin_policy(self):
        return info("fixture_typo_hook")

    @hookimpl
    def tongxin_trakcs(self, config):  # sic: a hook that does not exist is never called
        return []


class ExtraArgument:
    @hookimpl
    def tongxin_policy(self):
        return info("fixture_extra_argument")

    @hookimpl
    def tongxin_tracks(self, config, street):  # core never passes "street"
        return []
