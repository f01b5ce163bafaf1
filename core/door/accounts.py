"""Accounts: one's own password and second factor, and the offices' accounts of their units
(create, disable, re-enable, reset, import in bulk).

The schemas here are what both the API (``core.api.accounts``) and the web (``core.web.account``,
``core.web.users``) parse their input with; each operation calls its service
(``core.services.accounts``, ``core.services.account_import``, ``core.services.second_factor``).
The password policy itself (length, common passwords, the username) is the service's
(``core.services.password_policy``): the schema only bounds the input."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import FileField, Id, InputSchema, Pattern, QueryId
from core.door.operations import declare
from core.i18n import T
from core.models import Role
from core.permissions import A
from core.services import account_import, accounts, second_factor
from core.services.password_policy import MAX_LENGTH, MIN_LENGTH

USERNAME_ERROR = f"{accounts.USERNAME_RULE.zh} | {accounts.USERNAME_RULE.en}"


def Password(label: T, description: str, **kwargs) -> fields.String:
    return fields.String(required=True, validate=validate.Length(max=MAX_LENGTH),
                         metadata={"format": "password", "label": label, "description": description, **kwargs})


class ChangePasswordSchema(InputSchema):
    current_password = Password(T("当前密码", "Current password"), "the password in force (a one-time one included)")
    new_password = Password(T("新密码", "New password"),
                            f"at least {MIN_LENGTH} characters, not a common password, not containing the username")


class CreateUserSchema(InputSchema):
    username = fields.String(required=True, validate=Pattern(accounts.USERNAME_PATTERN, error=USERNAME_ERROR),
                             metadata={"label": T("用户名", "Username"), "pattern": f"^{accounts.USERNAME_PATTERN}$"})
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=accounts.NAME_MAX),
                                 metadata={"label": T("姓名", "Name")})
    unit_id = Id(required=True, metadata={"label": T("单位", "Unit"), "description": "the unit the role is held at"})
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role], error="没有该角色 | No such role"),
                         metadata={"label": T("角色", "Role")})
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=accounts.EMAIL_MAX),
                          metadata={"label": T("邮箱", "E-mail")})


class ImportUsersSchema(InputSchema):
    # Digits as a multipart form sends them (the file travels with it).
    unit_id = QueryId(required=True, metadata={"label": T("导入到单位", "Unit"),
                                          "description": "the unit the accounts are for (a row may name a unit below it)"})
    file = FileField(required=True, metadata={"label": T("账号表（.xlsx 或 .csv）", "Accounts (.xlsx or .csv)"),
                                              "description": "columns 用户名, 姓名, 角色, optional 单位代码, 邮箱"})


class ConfirmSecondFactorSchema(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=6, max=12),
                         metadata={"label": T("验证码", "Code"), "description": "the 6-digit code the authenticator app shows"})


class RemoveSecondFactorSchema(InputSchema):
    current_password = Password(T("当前密码", "Current password"), "confirms it is the account's owner")


CHANGE_PASSWORD = declare("password.change", A.password_change, ChangePasswordSchema, accounts.change_password,
                          T("修改自己的密码", "Change one's own password"))
CREATE_USER = declare("user.create", A.user_manage, CreateUserSchema, accounts.create_user,
                      T("创建账号（一次性密码，首次登录须修改）", "Create an account (one-time password, changed at first sign-in)"))
RESET_PASSWORD = declare("user.reset_password", A.user_manage, None, accounts.reset_password,
                         T("重置账号密码（一次性密码）", "Reset an account's password (one-time)"))
DISABLE_USER = declare("user.disable", A.user_manage, None, accounts.disable, T("停用账号", "Disable an account"))
ENABLE_USER = declare("user.enable", A.user_manage, None, accounts.enable, T("重新启用账号", "Re-enable an account"))
IMPORT_USERS = declare("user.import", A.user_manage, ImportUsersSchema, account_import.import_accounts,
                       T("从表格批量导入本单位账号", "Import a unit's accounts from a spreadsheet"))
BEGIN_SECOND_FACTOR = declare("second_factor.begin", A.second_factor_manage, None, second_factor.begin,
                              T("开始启用两步验证", "Start enrolling a second factor"))
CONFIRM_SECOND_FACTOR = declare("second_factor.enable", A.second_factor_manage, ConfirmSecondFactorSchema,
                                second_factor.confirm, T("以验证码启用两步验证", "Enable the second factor with a code"))
REMOVE_SECOND_FACTOR = declare("second_factor.remove", A.second_factor_manage, RemoveSecondFactorSchema,
                               second_factor.remove, T("停用两步验证", "Remove the second factor"))
