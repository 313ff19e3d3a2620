"""otp_core.values.Value: what the frozen dataclasses it replaced promised."""

from __future__ import annotations

import copy
import pickle
import tracemalloc
from dataclasses import FrozenInstanceError, dataclass

import pytest

from otp_core.models.device import Challenge
from otp_core.policy import Policy
from otp_core.session import Verification
from otp_core.values import Value
from otp_core.verification import VerificationResult

pytestmark = pytest.mark.engine_independent


class Point(Value):
    _fields = ("x", "y", "label")
    __slots__ = _fields
    x: int
    y: int
    label: str

    def __init__(self, x: int, y: int, label: str = "") -> None:
        self._fill(x, y, label)


class OtherPoint(Point):
    __slots__ = ()


def test_fields_in_constructor_order():
    point = Point(1, 2, "a")
    assert (point.x, point.y, point.label) == (1, 2, "a")
    assert repr(point) == "Point(x=1, y=2, label='a')"
    assert repr(Verification("d", "otp", 5.0)) == (
        "Verification(device_id='d', amr='otp', at=5.0, passwordless=False, spent=False)"
    )


def test_fill_wants_every_field():
    class Broken(Point):
        __slots__ = ()

        def __init__(self) -> None:
            self._fill(1, 2)

    with pytest.raises(ValueError, match="zip"):
        Broken()


def test_equality_and_hash_by_value_and_class():
    assert Point(1, 2) == Point(1, 2)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != OtherPoint(1, 2)  # another class, as a dataclass compares
    assert Point(1, 2) != (1, 2, "")
    assert len({Point(1, 2), Point(1, 2), Point(3, 4)}) == 2
    assert Policy(factors="otp", max_age=60) == Policy(factors=["otp"], max_age=60.0)
    assert VerificationResult(True) == VerificationResult(True, None, None)


def test_frozen():
    point = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x
    with pytest.raises(FrozenInstanceError):
        point.other = 1  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        Policy().level = 3  # type: ignore[misc]
    assert not hasattr(point, "__dict__")


def test_pickles_and_copies_through_the_constructor():
    for value in (
        Point(1, 2, "a"),
        Verification("d", "hwk", 1.5, True, True),
        Policy(factors={"hwk"}, max_age=30, level=3, passwordless=False),
        Challenge("sent", {"k": 1}),
        VerificationResult(False, "mismatch", {"n": 1}),
    ):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value
        assert copy.deepcopy(value) == value


def test_unhashable_field_fails_only_when_hashed():
    challenge = Challenge(data={"a": 1})
    assert challenge == Challenge("", {"a": 1})
    with pytest.raises(TypeError):
        hash(challenge)


def test_lighter_than_a_frozen_dataclass():
    """The reason for the class: less of a worker's memory per declared class."""

    def cost(make):  # bytes a class definition keeps alive
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            kept = make()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert kept is not None
        return after - before

    def as_dataclass():
        @dataclass(frozen=True)
        class Result:
            accepted: bool
            reason: str | None = None
            details: dict | None = None

        return Result

    def as_value():
        class Result(Value):
            _fields = ("accepted", "reason", "details")
            __slots__ = _fields

            def __init__(self, accepted, reason=None, details=None):
                self._fill(accepted, reason, details)

        return Result

    assert cost(as_value) * 2 < cost(as_dataclass)
