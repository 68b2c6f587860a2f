"""The ``selfservice.callflow/v1`` JSON Schema and a small validator for the part of JSON Schema (2020-12) it uses.

The schema (``numbering/schemas/callflow-v1.schema.json``) is published with the repository for the platform team.

Keywords: type, const, enum, required, properties, additionalProperties, propertyNames, minProperties, items,
minItems, maxItems, minimum, maximum, minLength, pattern, $ref to ``#/$defs/...``, allOf and if/then. It refuses
a keyword it does not know, so a schema change that needs more cannot pass unchecked. The ``jsonschema`` package
would do the same but would be a new dependency for one schema of ours.

Each failure keeps its place as a path (``("flow", "destinations", "menu", "timeout")``), so the flow's rules
(``numbering.flows.check``) can tell which step and field it belongs to.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

SCHEMA_PATH = FilePath(__file__).parent / "schemas" / "callflow-v1.schema.json"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Failure:
    """One place where a value breaks the schema: ``path`` to the value (a missing property's name included),
    ``text`` in the schema's terms (English, for the platform team)."""

    path: Path
    text: str
    where: str  # the path as the export's problems print it: ``flow.destinations.menu.timeout``

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def flow_failures(document: Any) -> list[Failure]:
    """The schema's complaints about a flow document alone (``$defs/flow``), paths relative to the document."""
    root = schema()
    return failures(document, root["$defs"]["flow"], root)


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KEYWORDS = {
    "type", "const", "enum", "required", "properties", "additionalProperties", "propertyNames", "minProperties",
    "items", "minItems", "maxItems", "minimum", "maximum", "minLength", "pattern", "$ref", "allOf", "if", "then",
}  # fmt: skip


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern as ECMA-262 reads it: ``$`` is the end of the text (Python's ``$`` also matches before a
    final newline, which would let ``"menu\\n"`` pass as a key that the platform's validator refuses)."""
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def resolve(root: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in rule:
        ref = rule["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref}")
        rule = root["$defs"][ref[len("#/$defs/") :]]
    return rule


def failures(value: Any, rule: dict[str, Any], root: dict[str, Any], path: Path = (), where: str = "") -> list[Failure]:
    """Every place ``value`` breaks ``rule`` (``root`` holds the ``$defs``); [] when it is valid."""
    out: list[Failure] = []
    _Checker(root, out).check(value, rule, path, where)
    return out


@dataclass
class _Checker:
    root: dict[str, Any]
    out: list[Failure]

    def fail(self, path: Path, where: str, text: str) -> None:
        self.out.append(Failure(path, text, where or "(document)"))

    def valid(self, value: Any, rule: dict[str, Any]) -> bool:
        return not failures(value, rule, self.root)

    def check(self, value: Any, rule: dict[str, Any], path: Path, where: str) -> None:  # noqa: C901
        rule = resolve(self.root, rule)
        unknown = set(rule) - _ANNOTATIONS - KEYWORDS
        if unknown:
            raise ValueError(f"unsupported schema keywords {sorted(unknown)}")
        if "type" in rule:
            types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
            if not any(_TYPES[t](value) for t in types):
                self.fail(path, where, f"should be {' or '.join(types)}")
                return
        if "const" in rule and value != rule["const"]:
            self.fail(path, where, f"should be {rule['const']!r}")
        if "enum" in rule and value not in rule["enum"]:
            self.fail(path, where, f"should be one of {', '.join(map(str, rule['enum']))}")
        if isinstance(value, str):
            if "minLength" in rule and len(value) < rule["minLength"]:
                self.fail(path, where, "should not be empty")
            if "pattern" in rule and not _pattern(rule["pattern"]).search(value):
                self.fail(path, where, f"{value!r} does not match {rule['pattern']}")
        if isinstance(value, int) and not isinstance(value, bool):
            if "minimum" in rule and value < rule["minimum"]:
                self.fail(path, where, f"should be at least {rule['minimum']}")
            if "maximum" in rule and value > rule["maximum"]:
                self.fail(path, where, f"should be at most {rule['maximum']}")
        if isinstance(value, dict):
            self.check_object(value, rule, path, where)
        if isinstance(value, list):
            if "minItems" in rule and len(value) < rule["minItems"]:
                self.fail(path, where, f"should have at least {rule['minItems']} items")
            if "maxItems" in rule and len(value) > rule["maxItems"]:
                self.fail(path, where, f"should have at most {rule['maxItems']} items")
            if "items" in rule:
                for i, item in enumerate(value):
                    self.check(item, rule["items"], (*path, i), f"{where}[{i}]")
        for part in rule.get("allOf", []):
            self.check(value, part, path, where)
        if "if" in rule and self.valid(value, rule["if"]) and "then" in rule:
            self.check(value, rule["then"], path, where)

    def check_object(self, value: dict[str, Any], rule: dict[str, Any], path: Path, where: str) -> None:
        prefix = f"{where}." if where else ""
        for name in rule.get("required", []):
            if name not in value:
                self.fail((*path, name), where, f"{name} is missing")
        if "minProperties" in rule and len(value) < rule["minProperties"]:
            self.fail(path, where, "should not be empty")
        properties = rule.get("properties", {})
        for name, inner in value.items():
            if "propertyNames" in rule:
                self.check(name, rule["propertyNames"], (*path, name), f"{prefix}{name} (name)")
            if name in properties:
                self.check(inner, properties[name], (*path, name), f"{prefix}{name}")
            elif rule.get("additionalProperties") is False:
                self.fail((*path, name), where, f"{name} is not allowed")
            elif isinstance(rule.get("additionalProperties"), dict):
                self.check(inner, rule["additionalProperties"], (*path, name), f"{prefix}{name}")
