"""The input fields every operation's schema is built from, documented as they are enforced.

Each field says in the OpenAPI document exactly what it accepts (a pattern, a range, a length),
because the same field object refuses everything else, for the API's JSON and the web's forms
alike (``core.door.forms`` hands a form's strings to the same fields)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from core.i18n import T
from core.money import FEN_PER_YUAN, MAX_FEN, MAX_TEXT, YUAN_PATTERN
from core.services.calendar import MAX_REASON, MIN_REASON  # the calendar checks the reason's length
from core.services.fund_requests import KEY_PATTERN, MONTH_PATTERN  # the rules' home: the service checks them too

# Ids are 32-bit integers in the database: a larger number in a URL or a body would make the
# database raise, so it is refused as input instead.
ID_MAX = 2**31 - 1
# Text a person writes in one field: the default limit where a service names none.
TEXT_MAX = 4000
MONTH_ERROR = "月份格式应为“年-月”（2000至2100年），如 2023-05 | The month must be YYYY-MM (years 2000-2100), e.g. 2023-05"
KEY_ERROR = "请求编号（幂等键）应为1至80个字母、数字或 _.:- | The idempotency key must be 1-80 letters, digits or _.:-"


class InputSchema(Schema):
    """Base of every operation's input (and of the API's response schemas): a field the schema
    does not declare is refused, never silently dropped."""


class Pattern(validate.Regexp):
    """``validate.Regexp`` matching the whole value, as JSON Schema's ``pattern`` with ``^...$``
    reads: Python's ``$`` alone would also let a final newline through."""

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Whole(fields.Integer):
    """An integer as JSON sends it, never a float (marshmallow would silently truncate 1.5 to 1),
    a boolean or a string of digits: the document says ``integer``. A query string or a form
    sends digits: there, ``strict=False`` (``QueryWhole``), and ``form_values`` turns a form's
    digits into an integer before the field sees them."""

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, **kwargs)

    def _validated(self, value):
        if isinstance(value, float):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def QueryWhole(**kwargs) -> Whole:
    """An integer in a query string (digits)."""
    return Whole(strict=False, **kwargs)


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``, and nothing else: marshmallow's Boolean would also take
    "yes", "on", 1 ..., which the document (``type: boolean``) calls invalid. (A form's checkbox
    is turned into ``true``/``false`` by ``form_values``.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Id(**kwargs) -> fields.Integer:
    """An id in a body: an integer 1..2^31-1."""
    return Whole(validate=validate.Range(min=1, max=ID_MAX), **kwargs)


def QueryId(**kwargs) -> fields.Integer:
    """An id in a query string."""
    return Id(strict=False, **kwargs)


def Yuan(**kwargs) -> fields.Raw:
    """An amount of yuan as given by the client, documented as ``core.money`` reads it (the one
    reader: ``read_yuan``): a string of ``YUAN_PATTERN`` or an integer, at most ``MAX_FEN``.
    The services parse it into fen and refuse anything else, naming the field."""
    metadata = {
        "anyOf": [{"type": "string", "pattern": YUAN_PATTERN},
                  {"type": "integer", "minimum": 0, "maximum": MAX_FEN // FEN_PER_YUAN}],
        "example": "4800.50",
        "description": f"yuan, as an office types it: \"5000\", \"5,000.50\", \"5000元\", \"0.5万\" or \"1.2万元\" "
                       f"(at most two decimals of yuan, six of 万; thousands grouped by three or not at all; "
                       f"full-width digits, comma and point and spaces around it are read too), or an integer; "
                       f"0 to {MAX_TEXT} yuan. Floats, signs, exponents and capital numerals (伍仟) are refused",
    }
    extra = dict(kwargs.pop("metadata", {}))
    if "description" in extra:
        metadata["description"] = f"{extra.pop('description')}. {metadata['description']}"
    return fields.Raw(metadata={**metadata, **extra}, **kwargs)


def Text(max_length: int = TEXT_MAX, **kwargs) -> fields.String:
    """Text a person writes: at most ``max_length`` characters (the service's own limit, passed
    in by the schema so that the document states it)."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def Month(**kwargs) -> fields.String:
    """A calendar month, ``YYYY-MM``."""
    metadata = {"description": "YYYY-MM", "example": "2023-05", **kwargs.pop("metadata", {})}
    return fields.String(validate=Pattern(MONTH_PATTERN, error=MONTH_ERROR), metadata=metadata, **kwargs)


KEY_REQUIRED_CODE = "idempotency_key_required"
KEY_REQUIRED = ("必填（每次新的登记用一个新编号；重发同一登记时用同一个编号，只记录一次） | "
                "required (a new key for each new record; the same key when the same request is sent again, "
                "which then records nothing new)")


class RequestKey(fields.String):
    """The idempotency key every operation that records money requires (``key``): the same key
    sent again with the same input records nothing new and answers what the first did; with other
    input it is refused (409). A form carries one generated when it is rendered (a hidden
    field). Missing, it is refused with a 400 naming the field (``KEY_REQUIRED_CODE``,
    ``core.door.errors.input_status``), not silently recorded without protection. Spaces around it
    are dropped by the services."""

    def __init__(self, max_length: int, *, pattern: str | None = None, error: str | None = None, **kwargs):
        rule = (Pattern(pattern, error=error) if pattern is not None
                else validate.Length(min=1, max=max_length))
        metadata = {"label": T("请求编号（key）", "Request key (key)"), **kwargs.pop("metadata", {})}
        description = metadata.get("description", "idempotency key")
        metadata["description"] = (f"{description}. Required: one per new record (e.g. a UUID); sent again with the "
                                   f"same input it answers what the first answered and records nothing new; with "
                                   f"other input it is refused (409 idempotency_conflict); missing: 400 {KEY_REQUIRED_CODE}")
        super().__init__(required=True, validate=rule, metadata=metadata,
                         error_messages={"required": KEY_REQUIRED}, **kwargs)


def RecordKey(description: str) -> RequestKey:
    """The idempotency key of a fund request, an expense or a refund (``KEY_PATTERN``, the
    service's): a form carries one made when it was rendered; an API client makes its own (a
    UUID will do)."""
    return RequestKey(80, pattern=KEY_PATTERN, error=KEY_ERROR, metadata={"description": description})


class FileField(Upload):
    """An uploaded file (multipart), required to be a file and not a string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("请选择要上传的文件 | Send a file")
        return value


class Verdict(fields.String):
    """A yes-or-no decision sent as one of two words (``approved`` / ``refused``), loaded as a
    bool for the service (``approve=True``). Give it ``data_key`` when the word's field name
    differs from the service's parameter (``approve = Verdict(data_key="outcome")``)."""

    def __init__(self, yes: str, no: str, *, error: str, **kwargs):
        self.yes, self.no = yes, no
        self._words = validate.OneOf([yes, no], error=error)  # checked on the word, before it becomes a bool
        metadata = {"enum": [yes, no], **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        word = self._words(super()._deserialize(value, attr, data, **kwargs))
        return word == self.yes

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else (self.yes if value else self.no)


def OverrideReason(**kwargs) -> fields.String:
    """Why a phase's named approver acts outside the phase's window (``core.services.calendar``:
    a limit of firmness "needs_approval"); ignored inside the window. The calendar checks its
    length (``calendar.MIN_REASON`` to ``MAX_REASON``) when it is needed."""
    metadata = {"description": f"outside a phase whose limit a named role may override: that role's reason "
                               f"({MIN_REASON}-{MAX_REASON} characters)",
                "label": T("时段外办理的理由", "Reason for acting outside the phase"),
                **kwargs.pop("metadata", {})}
    kwargs.setdefault("load_default", None)
    kwargs.setdefault("allow_none", True)
    return fields.String(validate=validate.Length(max=MAX_REASON), metadata=metadata, **kwargs)
