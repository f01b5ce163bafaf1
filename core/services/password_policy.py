"""The password policy every password a person chooses must meet.

Fit for a system that holds government money and residents' personal data (the length and the
list follow NIST SP 800-63B §5.1.1.2, as China's GB/T 22239-2019 asks for "complexity" in
outline only): at least ``MIN_LENGTH`` characters, not one of the common passwords shipped with
the package (``core/data/common_passwords.txt``: nothing is fetched at run time), and not
containing the username. No composition rules (a digit, a capital ...): they make passwords
harder to remember, not to guess. One-time passwords the platform generates
(``one_time_password``) meet the policy by construction.

The checks answer with violations naming the field, in Chinese first, so a person who is
refused reads why.
"""
from __future__ import annotations

import functools
import secrets
from pathlib import Path

from core.i18n import T
from core.violations import RuleError, Violation

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
# Letters and digits that cannot be mistaken for one another when read off a screen or paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 16


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def violations(password: str, username: str = "", field: str = "new_password") -> list[Violation]:
    """What is wrong with ``password`` for the user ``username`` (empty: it meets the policy)."""
    password = password or ""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(Violation("password_too_short", T(f"密码至少需要{MIN_LENGTH}个字符（当前{len(password)}个）",
                                                       f"The password needs at least {MIN_LENGTH} characters "
                                                       f"({len(password)} given)"), field=field))
    elif len(password) > MAX_LENGTH:
        found.append(Violation("password_too_long", T(f"密码最多{MAX_LENGTH}个字符",
                                                      f"The password may have at most {MAX_LENGTH} characters"), field=field))
    if password.strip().lower() in common_passwords() or len(set(password)) <= 2:
        found.append(Violation("password_common", T("这是常见密码，很容易被猜中，请换一个",
                                                    "This is a common password that is easy to guess: choose another"),
                               field=field))
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        found.append(Violation("password_contains_username", T("密码不能包含用户名",
                                                               "The password must not contain the username"), field=field))
    return found


def check(password: str, username: str = "", field: str = "new_password") -> None:
    """``violations``, raised as one ``RuleError`` (422) when there are any."""
    found = violations(password, username, field)
    if found:
        raise RuleError(found, status=422)


def one_time_password() -> str:
    """A generated password, shown once (an initial or reset one), which meets the policy: 16
    characters of an unambiguous alphabet, about 92 bits."""
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(ONE_TIME_LENGTH))
        if not violations(candidate):
            return candidate
