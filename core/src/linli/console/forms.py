"""Forms generated from a module's settings JSON schema, and the settings read back from them.

Pure functions: `settings_fields` turns the schema (``Manifest.settings_schema()``) and the
current values into the fields a template draws; `settings_from_form` turns what the browser
sent into the settings object the module's model then validates (the service refuses what is
out of bounds, with the problem details the page shows). Money is an integer amount in minor
units in the setting's currency; integers keep their bounds; enums become a choice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FormField", "settings_fields", "settings_from_form"]


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a generated form.

    Attributes:
        name: The form field's name (the setting's name; ``<name>.amount`` for money).
        label: What the operator reads.
        kind: ``integer``, ``number``, ``money``, ``boolean``, ``choice``, ``lines``, ``text``
            or ``json``.
        value: The current value, as the input shows it.
        help: The setting's description.
        minimum: The lower bound, if any (of the amount, for money).
        maximum: The upper bound, if any.
        choices: The allowed values of a ``choice``.
        currency: The currency of a ``money`` field.
        optional: Whether an empty input means "none" (``null``).
    """

    name: str
    label: str
    kind: str
    value: Any
    help: str = ""
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: tuple[str, ...] = field(default_factory=tuple)
    currency: str = ""
    optional: bool = False


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node with ``$ref`` resolved and ``anyOf [X, null]`` unwrapped; whether it is optional."""
    optional = False
    merged = dict(node)
    if "anyOf" in merged:
        kinds = [k for k in merged["anyOf"] if k.get("type") != "null"]
        optional = len(kinds) < len(merged["anyOf"])
        if len(kinds) == 1:
            merged = {**merged, **kinds[0]}
            merged.pop("anyOf")
    if "$ref" in merged:
        target = merged.pop("$ref").rsplit("/", 1)[-1]
        merged = {**schema.get("$defs", {}).get(target, {}), **merged}
    return merged, optional


def _is_money(node: Mapping[str, Any]) -> bool:
    props = node.get("properties", {})
    return node.get("type") == "object" and set(props) == {"amount", "currency"}


def _field(schema: Mapping[str, Any], name: str, raw: Mapping[str, Any], value: Any) -> FormField:
    node, optional = _resolve(schema, raw)
    label = str(node.get("title") or name.replace("_", " ").capitalize())
    common: dict[str, Any] = {"help": str(node.get("description", "")), "optional": optional}
    if _is_money(node):
        amount = node["properties"]["amount"]
        currency = node["properties"]["currency"].get("const") or (value or {}).get("currency", "")
        return FormField(
            f"{name}.amount",
            f"{label} ({currency}, minor units)",
            "money",
            (value or {}).get("amount", ""),
            minimum=amount.get("minimum"),
            maximum=amount.get("maximum"),
            currency=str(currency),
            **common,
        )
    kind = node.get("type")
    if "enum" in node:
        choices = tuple(str(v) for v in node["enum"])
        return FormField(name, label, "choice", value, choices=choices, **common)
    if kind in ("integer", "number"):
        shown = "" if value is None else value
        low, high = node.get("minimum"), node.get("maximum")
        return FormField(name, label, str(kind), shown, minimum=low, maximum=high, **common)
    if kind == "boolean":
        return FormField(name, label, "boolean", bool(value), **common)
    if kind == "array" and node.get("items", {}).get("type") == "string":
        return FormField(name, label, "lines", "\n".join(value or []), **common)
    if kind == "string":
        return FormField(name, label, "text", "" if value is None else value, **common)
    return FormField(name, label, "json", json.dumps(value, ensure_ascii=False), **common)


def settings_fields(schema: Mapping[str, Any], values: Mapping[str, Any]) -> list[FormField]:
    """The form fields of a settings schema, filled with ``values`` (the current settings)."""
    return [
        _field(schema, name, node, values.get(name, node.get("default")))
        for name, node in schema.get("properties", {}).items()
    ]


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text  # the model refuses it and names the field


def settings_from_form(fields: list[FormField], form: Mapping[str, str]) -> dict[str, Any]:
    """The settings object the form's fields describe (validated by the module's model next)."""
    settings: dict[str, Any] = {}
    for f in fields:
        text = form.get(f.name, "").strip()
        key = f.name.removesuffix(".amount")
        if f.kind == "boolean":
            settings[key] = f.name in form
        elif text == "" and f.optional:
            settings[key] = None
        elif f.kind == "money":
            settings[key] = {"amount": _number(text), "currency": f.currency}
        elif f.kind in ("integer", "number"):
            settings[key] = _number(text)
        elif f.kind == "lines":
            settings[key] = [line.strip() for line in text.splitlines() if line.strip()]
        elif f.kind == "json":
            try:
                settings[key] = json.loads(text) if text else None
            except json.JSONDecodeError:
                settings[key] = text
        else:
            settings[key] = text
    return settings
