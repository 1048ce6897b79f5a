"""Deadline handlers: a module's deadlines routed by a declared key pattern, fields parsed.

A module declares one handler per kind of deadline with :func:`on_deadline` and lists them in
``Manifest.deadline_handlers``::

    @on_deadline("close:{campaign_id}")
    async def close_at_deadline(host: Host, deadline: Deadline, campaign_id: int) -> None: ...

    await host.deadlines.schedule(close_at_deadline.key(campaign_id=7), due, {})

When ``close:7`` is due, the host calls ``close_at_deadline(host, deadline, campaign_id=7)``:
each ``{field}`` of the pattern is a keyword parameter of the handler, converted to the type
it is annotated with (``int``, ``str``, ``UUID``, ``date``...). A module that declares handlers
can only schedule keys one of them matches: any other key is refused with
:class:`DeadlineKeyError` at schedule time, not when it would fire.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from ._host_values import Deadline
    from .host import Host

__all__ = ["DeadlineHandler", "DeadlineKeyError", "on_deadline", "route_deadline"]

_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_SEPARATOR = ":"
"""Fields never contain it, so ``a:{x}:{y}`` splits one way only."""


class DeadlineKeyError(ValueError):
    """A deadline key no declared handler (or more than one) takes, or fields that do not fit.

    A bug in the module, not in the caller's input: on the platform the call fails as any
    unexpected error does (HTTP 500, logged with this message).
    """


class DeadlineHandler:
    """A module's handler for the deadlines whose keys match ``pattern``.

    Built by :func:`on_deadline`; call :meth:`key` to build a key to schedule. Calling the
    handler with ``(host, deadline)`` parses the key and calls the function with its fields.

    Attributes:
        pattern: The key pattern, literal text and ``{field}`` parts, e.g. ``close:{campaign_id}``.
        fields: The fields in the order the pattern names them.
        function: The decorated function.

    """

    def __init__(
        self, pattern: str, function: Callable[..., Awaitable[None]], types: dict[str, Any]
    ) -> None:
        self.pattern = pattern
        self.function = function
        self.fields = tuple(_FIELD.findall(pattern))
        self._adapters = {name: TypeAdapter(types[name]) for name in self.fields}
        parts = _FIELD.split(pattern)  # literal, field, literal, field, ..., literal
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^{_SEPARATOR}]+)"
            for i, part in enumerate(parts)
        )
        self._regex = re.compile(regex)
        self.__doc__ = function.__doc__
        self.__name__ = getattr(function, "__name__", pattern)

    def __repr__(self) -> str:
        return f"DeadlineHandler({self.pattern!r}, {self.__name__})"

    def match(self, key: str) -> dict[str, Any] | None:
        """The fields of ``key``, converted to the handler's types; ``None`` if it does not match.

        Raises:
            DeadlineKeyError: The key has this pattern's shape, but a field does not convert.

        """
        found = self._regex.fullmatch(key)
        if found is None:
            return None
        fields = {}
        for name, adapter in self._adapters.items():
            try:
                fields[name] = adapter.validate_python(found[name])
            except ValidationError as exc:
                message = exc.errors(include_url=False)[0]["msg"]
                raise DeadlineKeyError(
                    f"deadline key {key!r} ({self.pattern}): {name} {found[name]!r}: {message}"
                ) from exc
        return fields

    def key(self, **fields: Any) -> str:
        """The key for these fields, e.g. ``close_at_deadline.key(campaign_id=7)`` -> ``close:7``.

        Raises:
            DeadlineKeyError: A field is missing or extra, or its value would not read back.

        """
        if set(fields) != set(self.fields):
            raise DeadlineKeyError(
                f"{self.pattern} takes the fields {', '.join(self.fields)}, got {', '.join(fields)}"
            )
        key = _FIELD.sub(lambda m: str(fields[m[1]]), self.pattern)
        if self.match(key) != fields:
            raise DeadlineKeyError(f"{self.pattern}: {fields} do not make a key that reads back")
        return key

    async def __call__(self, host: Host, deadline: Deadline) -> None:
        """Run the function for a due deadline, with the fields its key carries."""
        fields = self.match(deadline.key)
        if fields is None:
            raise DeadlineKeyError(f"deadline key {deadline.key!r} does not match {self.pattern}")
        await self.function(host, deadline, **fields)


def on_deadline(
    pattern: str,
) -> Callable[[Callable[..., Awaitable[None]]], DeadlineHandler]:
    """Declare the decorated ``async def f(host, deadline, **fields)`` the handler of ``pattern``.

    ``pattern`` is literal text and ``{field}`` parts separated by literal text (a field's value
    never contains ``:``); every field is a parameter of the function after ``host`` and
    ``deadline``, annotated with the type its text converts to (unannotated: ``str``).

    Raises:
        TypeError: The pattern and the function's parameters do not agree.

    """
    names = _FIELD.findall(pattern)
    parts = _FIELD.split(pattern)
    literals = parts[::2]
    if len(set(names)) != len(names):
        raise TypeError(f"deadline pattern {pattern!r} names a field twice")
    if any(not text for text in literals[1:-1]) or "{" in "".join(literals):
        raise TypeError(
            f"deadline pattern {pattern!r}: use {{name}} fields (lower case) with literal text "
            "between them"
        )

    def decorate(function: Callable[..., Awaitable[None]]) -> DeadlineHandler:
        if not inspect.iscoroutinefunction(function):
            raise TypeError(f"deadline handler {function.__name__} must be 'async def'")
        parameters = list(inspect.signature(function).parameters.values())
        taken = [p.name for p in parameters[2:]]
        if len(parameters) < 2 or sorted(taken) != sorted(names):
            given = ", ".join(p.name for p in parameters)
            raise TypeError(
                f"deadline handler {function.__name__} must take (host, deadline, "
                f"{', '.join(names)}) for {pattern!r}, not ({given})"
            )
        annotations = inspect.get_annotations(function, eval_str=True)
        types = {name: annotations.get(name, str) for name in names}
        return DeadlineHandler(pattern, function, types)

    return decorate


def route_deadline(handlers: Iterable[DeadlineHandler], key: str) -> DeadlineHandler:
    """The one handler among ``handlers`` whose pattern and field types take ``key``.

    Raises:
        DeadlineKeyError: No handler matches the key, more than one does, or a field of it
            does not convert.

    """
    handlers = tuple(handlers)
    matching, misfits = [], []
    for handler in handlers:
        try:
            if handler.match(key) is not None:
                matching.append(handler)
        except DeadlineKeyError as misfit:  # its shape, not its types: another may take it
            misfits.append(misfit)
    if len(matching) == 1:
        return matching[0]
    if not matching and misfits:
        raise misfits[0]
    patterns = ", ".join(h.pattern for h in (matching or handlers))
    if matching:
        raise DeadlineKeyError(f"deadline key {key!r} matches more than one pattern: {patterns}")
    raise DeadlineKeyError(
        f"deadline key {key!r} matches none of the module's patterns: {patterns}"
    )
