"""Immutable value classes for cellviz's internals, cheap to define.

``@dataclass(frozen=True)`` writes the source of six methods for each class and compiles it
with ``exec`` when its module is imported: about a millisecond a class on CPython 3.11, and
``cellviz render`` imported some 45 such classes, a sixth of the command's time. ``@record``
gives a class the same behaviour from methods written once, here, that read the field list
the decorator stores: ``__init__`` (fields by position or keyword, defaults, ``kw_only``,
``__post_init__``), ``__repr__``, ``__eq__`` and ``__hash__`` over the fields in order, and
assignment refused (``frozen``, the default). Type checkers treat it as a dataclass
(``dataclass_transform``). The public model (``CellGraph``, ``Cell``, the parameter tables and
``RenderOptions``) stays made of real frozen dataclasses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, overload

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda f: f


__all__ = ["FrozenRecordError", "fields", "record", "replace"]

T = TypeVar("T")

_MISSING: Any = object()


class FrozenRecordError(AttributeError):
    """Raised when a field of a frozen record is assigned or deleted."""


class _Spec:
    """What the shared methods need to know of one record class."""

    __slots__ = ("defaults", "key", "known", "names", "positional", "post_init")

    def __init__(self, cls: type, names: tuple[str, ...], defaults: dict[str, Any],
                 kw_only: bool) -> None:
        self.names = names
        self.known = frozenset(names)
        self.defaults = defaults
        self.positional = 0 if kw_only else len(names)
        self.post_init = getattr(cls, "__post_init__", None)
        if len(names) > 1:
            self.key: Callable[[Any], Any] = attrgetter(*names)
        elif names:
            getter = attrgetter(names[0])
            self.key = lambda obj: (getter(obj),)
        else:
            self.key = lambda obj: ()


def _spec(obj: object) -> _Spec:
    spec: _Spec = type(obj).__record__  # type: ignore[attr-defined]
    return spec


def _init(self: object, *args: Any, **kwargs: Any) -> None:
    spec = _spec(self)
    if not kwargs and len(args) == spec.positional == len(spec.names):  # the common call
        vars(self).update(zip(spec.names, args, strict=True))
    else:
        vars(self).update(_bind(spec, type(self).__qualname__, args, kwargs))
    if spec.post_init is not None:
        spec.post_init(self)


def _bind(spec: _Spec, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
          ) -> dict[str, Any]:
    """The fields' values from a call's arguments and the defaults, as a dataclass's
    ``__init__`` takes them."""
    if len(args) > spec.positional:
        raise TypeError(f"{name}() takes {spec.positional} positional arguments "
                        f"but {len(args)} were given")
    values = dict(spec.defaults)
    values.update(zip(spec.names, args, strict=False))
    if kwargs:
        for key in kwargs.keys() - spec.known:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
        for key in kwargs.keys() & spec.names[:len(args)]:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        values.update(kwargs)
    if len(values) < len(spec.names):
        missing = [field for field in spec.names if field not in values]
        raise TypeError(f"{name}() missing required argument: {missing[0]!r}")
    return values


def _repr(self: object) -> str:
    spec = _spec(self)
    inner = ", ".join(f"{field}={getattr(self, field)!r}" for field in spec.names)
    return f"{type(self).__qualname__}({inner})"


def _eq(self: object, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = _spec(self).key
    return key(self) == key(other)


def _hash(self: object) -> int:
    return hash(_spec(self).key(self))


def _refuse(self: object, name: str, *_: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen "
                            f"{type(self).__qualname__}")


def _make(cls: type[T], kw_only: bool, frozen: bool) -> type[T]:
    names: list[str] = []
    defaults: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        inherited = vars(base).get("__record__")
        if isinstance(inherited, _Spec):
            names += [n for n in inherited.names if n not in names]
            defaults.update(inherited.defaults)
    for field, annotation in vars(cls).get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        if field not in names:
            names.append(field)
        default = vars(cls).get(field, _MISSING)
        if default is not _MISSING:
            defaults[field] = default
    if not kw_only:
        seen_default = False
        for field in names:
            if field in defaults:
                seen_default = True
            elif seen_default:
                raise TypeError(f"{cls.__qualname__}: field {field!r} without a default "
                                "follows one with a default")
    spec = _Spec(cls, tuple(names), defaults, kw_only)
    methods: dict[str, Any] = {"__init__": _init, "__repr__": _repr, "__eq__": _eq,
                               "__hash__": _hash if frozen else None,
                               "__match_args__": spec.names[:spec.positional]}
    if frozen:
        methods.update(__setattr__=_refuse, __delattr__=_refuse)
    cls.__record__ = spec  # type: ignore[attr-defined]
    for attr, method in methods.items():
        if attr not in vars(cls):
            setattr(cls, attr, method)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True)
def record(cls: type[T] | None = None, /, *, kw_only: bool = False,
           frozen: bool = True) -> type[T] | Callable[[type[T]], type[T]]:
    """Make ``cls`` a record: fields from its annotations, in order, with the class attributes
    of the same names as defaults. Use as ``@record`` or ``@record(kw_only=..., frozen=...)``."""
    if cls is not None:
        return _make(cls, kw_only, frozen)
    return lambda c: _make(c, kw_only, frozen)


def fields(obj: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in order."""
    cls = obj if isinstance(obj, type) else type(obj)
    spec = vars(cls).get("__record__")
    if not isinstance(spec, _Spec):
        raise TypeError(f"{cls.__qualname__} is not a record")
    return spec.names


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with the given fields changed, checked as a new one is."""
    values = {field: getattr(obj, field) for field in fields(obj)}
    values.update(changes)
    return type(obj)(**values)
