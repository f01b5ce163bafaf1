"""Password hashing's cost is a setting: argon2's recommended profile by default, the cheapest
one only where a test suite asks for it; a hash made under another profile is upgraded at the
next sign-in."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import select

from core.config import Settings
from core.models import User
from core.services import auth
from tests.factories import PASSWORD, tenant_id


def test_the_default_is_the_recommended_profile_and_cheapest_is_only_chosen():
    assert Settings().password_hashing == "default"
    assert PasswordHasher().memory_cost == profiles.RFC_9106_LOW_MEMORY.memory_cost
    default, cheap = auth.hash_password("a-password-1"), auth.hash_password("a-password-1", "cheapest")
    assert f"m={profiles.RFC_9106_LOW_MEMORY.memory_cost}," in default
    assert f"m={profiles.CHEAPEST.memory_cost}," in cheap
    with pytest.raises(ValueError, match="unknown password hashing profile"):
        auth.hash_password("a-password-1", "fast")


def test_a_cheap_hash_is_upgraded_when_the_deployment_signs_in_with_the_default(platform):
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        user = s.scalars(select(User).where(User.username == "luochuan")).one()
        assert f"m={profiles.CHEAPEST.memory_cost}," in user.password_hash  # the test world's setting
        assert auth.authenticate(s, "luochuan", "wrong-password", "default") is None
        assert auth.authenticate(s, "luochuan", PASSWORD, "default") is not None
        assert f"m={profiles.RFC_9106_LOW_MEMORY.memory_cost}," in user.password_hash
