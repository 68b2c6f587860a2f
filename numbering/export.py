"""The hand-over to the network: a saved call flow version as a ``selfservice.callflow/v1`` document.

The format is described by the JSON Schema ``numbering/schemas/callflow-v1.schema.json`` (published with the
repository, so the platform team can validate on their side). Every export is checked against it before it
leaves: ``problems`` answers with the schema's complaints, [] when the export is valid.

The check is a small validator for the part of JSON Schema (2020-12) the schema uses: type, const, enum,
required, properties, additionalProperties, propertyNames, minProperties, items, minItems, maxItems,
minimum, maximum, minLength, pattern, $ref to ``#/$defs/...``, allOf and if/then. It refuses a schema keyword
it does not know, so a schema change that needs more cannot pass unchecked.
"""

import functools
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

from companies.models import Company
from numbering import flows
from numbering.models import CallFlowVersion

FORMAT = "selfservice.callflow/v1"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "callflow-v1.schema.json"
MEDIA_TYPE = "application/vnd.selfservice.callflow.v1+json"


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def export(version: CallFlowVersion, *, company: Company, main_number: str | None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "company": {"name": company.name, "cvr": company.cvr},
        "main_number": main_number,
        "version": version.version,
        "saved_at": version.created_at.astimezone(zoneinfo.ZoneInfo(flows.TIMEZONE)).isoformat(),
        "flow": version.document,
    }


def problems(payload: Any) -> list[str]:
    """The places where ``payload`` breaks the schema (``flow.destinations.menu.timeout: ...``)."""
    root = schema()
    out: list[str] = []
    _check(payload, root, root, "", out)
    return out


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern as ECMA-262 reads it: ``$`` is the end of the text (Python's ``$`` also matches before a
    final newline, which would let ``"menu\\n"`` pass as a key that the platform's validator refuses)."""
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _resolve(root: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in rule:
        ref = rule["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref}")
        rule = root["$defs"][ref[len("#/$defs/") :]]
    return rule


def _valid(value: Any, rule: dict[str, Any], root: dict[str, Any]) -> bool:
    found: list[str] = []
    _check(value, rule, root, "", found)
    return not found


def _check(value: Any, rule: dict[str, Any], root: dict[str, Any], where: str, out: list[str]) -> None:  # noqa: C901
    rule = _resolve(root, rule)
    at = where or "(document)"
    unknown = set(rule) - _ANNOTATIONS - _KEYWORDS
    if unknown:
        raise ValueError(f"unsupported schema keywords {sorted(unknown)}")
    if "type" in rule:
        types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        if not any(_TYPES[t](value) for t in types):
            out.append(f"{at}: should be {' or '.join(types)}")
            return
    if "const" in rule and value != rule["const"]:
        out.append(f"{at}: should be {rule['const']!r}")
    if "enum" in rule and value not in rule["enum"]:
        out.append(f"{at}: should be one of {', '.join(map(str, rule['enum']))}")
    if isinstance(value, str):
        if "minLength" in rule and len(value) < rule["minLength"]:
            out.append(f"{at}: should not be empty")
        if "pattern" in rule and not _pattern(rule["pattern"]).search(value):
            out.append(f"{at}: {value!r} does not match {rule['pattern']}")
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in rule and value < rule["minimum"]:
            out.append(f"{at}: should be at least {rule['minimum']}")
        if "maximum" in rule and value > rule["maximum"]:
            out.append(f"{at}: should be at most {rule['maximum']}")
    if isinstance(value, dict):
        _check_object(value, rule, root, where, out)
    if isinstance(value, list):
        if "minItems" in rule and len(value) < rule["minItems"]:
            out.append(f"{at}: should have at least {rule['minItems']} items")
        if "maxItems" in rule and len(value) > rule["maxItems"]:
            out.append(f"{at}: should have at most {rule['maxItems']} items")
        if "items" in rule:
            for i, item in enumerate(value):
                _check(item, rule["items"], root, f"{where}[{i}]", out)
    for part in rule.get("allOf", []):
        _check(value, part, root, where, out)
    if "if" in rule and _valid(value, rule["if"], root) and "then" in rule:
        _check(value, rule["then"], root, where, out)


def _check_object(
    value: dict[str, Any], rule: dict[str, Any], root: dict[str, Any], where: str, out: list[str]
) -> None:
    at = where or "(document)"
    prefix = f"{where}." if where else ""
    for name in rule.get("required", []):
        if name not in value:
            out.append(f"{at}: {name} is missing")
    if "minProperties" in rule and len(value) < rule["minProperties"]:
        out.append(f"{at}: should not be empty")
    properties = rule.get("properties", {})
    for name, inner in value.items():
        if "propertyNames" in rule:
            _check(name, rule["propertyNames"], root, f"{prefix}{name} (name)", out)
        if name in properties:
            _check(inner, properties[name], root, f"{prefix}{name}", out)
        elif rule.get("additionalProperties") is False:
            out.append(f"{at}: {name} is not allowed")
        elif isinstance(rule.get("additionalProperties"), dict):
            _check(inner, rule["additionalProperties"], root, f"{prefix}{name}", out)


_KEYWORDS = {
    "type", "const", "enum", "required", "properties", "additionalProperties", "propertyNames", "minProperties",
    "items", "minItems", "maxItems", "minimum", "maximum", "minLength", "pattern", "$ref", "allOf", "if", "then",
}  # fmt: skip
