"""cellviz.record against the frozen dataclasses it stands in for: the same behaviour, field by
field, for a record and a dataclass twin of one class."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest

from cellviz.record import FrozenRecordError, fields, record, replace


@record
class Point:
    """A record with a default and a class variable."""

    x: int
    y: int
    label: str = ""
    unit: ClassVar[str] = "px"

    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


@dataclasses.dataclass(frozen=True)
class PointDC:
    x: int
    y: int
    label: str = ""
    unit: ClassVar[str] = "px"


@record(kw_only=True)
class Options:
    size: int = 1
    name: str = "a"

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"size must be at least 1, got {self.size}")


@record(frozen=False)
class Counter:
    name: str
    count: int = 0


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((1, 2), {}),
    ((1, 2, "p"), {}),
    ((1,), {"y": 2}),
    ((), {"y": 2, "x": 1, "label": "q"}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS, ids=["positional", "all", "mixed", "keywords"])
def test_record_behaves_as_the_frozen_dataclass(args: tuple[Any, ...],
                                                kwargs: dict[str, Any]) -> None:
    rec, dc = Point(*args, **kwargs), PointDC(*args, **kwargs)
    assert repr(rec) == repr(dc).replace("PointDC", "Point")
    assert (rec.x, rec.y, rec.label) == (dc.x, dc.y, dc.label)
    assert hash(rec) == hash(dc)
    assert rec == Point(rec.x, rec.y, rec.label)
    assert rec != Point(rec.x + 1, rec.y, rec.label)
    assert rec != dc  # different classes never compare equal, as with dataclasses
    assert Point.__match_args__ == PointDC.__match_args__ == ("x", "y", "label")
    assert fields(rec) == tuple(f.name for f in dataclasses.fields(dc)) == ("x", "y", "label")
    assert rec.norm1() == abs(rec.x) + abs(rec.y) and rec.unit == "px"


BAD_CALLS: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    ((1,), {}, "missing required argument: 'y'"),
    ((1, 2, "p", 4), {}, "takes 3 positional arguments but 4 were given"),
    ((1, 2), {"x": 3}, "got multiple values for argument 'x'"),
    ((1, 2), {"z": 3}, "got an unexpected keyword argument 'z'"),
]


@pytest.mark.parametrize(("args", "kwargs", "message"), BAD_CALLS,
                         ids=["missing", "too-many", "twice", "unknown"])
def test_bad_arguments_are_type_errors(args: tuple[Any, ...], kwargs: dict[str, Any],
                                       message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)
    with pytest.raises(TypeError):  # the dataclass refuses the same call
        PointDC(*args, **kwargs)


def test_frozen_refuses_assignment_and_deletion() -> None:
    p = Point(1, 2)
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'x'"):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    assert (p.x, p.y) == (1, 2)


def test_replace_makes_a_checked_copy() -> None:
    p = Point(1, 2, "a")
    q = replace(p, y=5)
    assert (q, p) == (Point(1, 5, "a"), Point(1, 2, "a"))
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        replace(p, z=1)
    o = Options(size=2)
    with pytest.raises(ValueError, match="size must be at least 1, got 0"):
        replace(o, size=0)


def test_keyword_only_and_post_init() -> None:
    assert Options() == Options(size=1, name="a")
    assert Options.__match_args__ == ()
    with pytest.raises(TypeError, match="takes 0 positional arguments"):
        Options(2)  # type: ignore[misc]
    with pytest.raises(ValueError, match="size must be at least 1"):
        Options(size=0)


def test_mutable_record_is_unhashable_and_assignable() -> None:
    c = Counter("a")
    c.count += 1
    assert c == Counter("a", 1)
    with pytest.raises(TypeError, match="unhashable"):
        hash(c)


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="field 'b' without a default follows one with a default"):

        @record
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]


def test_fields_of_a_plain_class_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="PointDC is not a record"):
        fields(PointDC)


def test_records_inherit_fields() -> None:
    @record
    class Point3(Point):
        z: int = 0

    p = Point3(1, 2, "c", 3)
    assert fields(p) == ("x", "y", "label", "z")
    assert repr(p) == "test_records_inherit_fields.<locals>.Point3(x=1, y=2, label='c', z=3)"
    assert p != Point(1, 2, "c")
