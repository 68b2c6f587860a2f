"""Fills msgstr entries of a .po file from a JSON dict {msgid: msgstr}.

    .venv/bin/python scripts/po_fill.py locale/da/LC_MESSAGES/django.po translations.json
    .venv/bin/python scripts/po_fill.py FILE --missing   (prints the msgids still untranslated, as JSON)
A small helper for translators; plural entries get the same text for both forms
unless the dict gives a list.
"""

import json
import re
import sys


def _unquote(line: str) -> str:
    return json.loads(line)


def parse(text: str) -> list[dict]:
    entries: list[dict] = []
    current: dict = {"lines": []}
    key = None
    for raw in text.splitlines():
        if raw.startswith("#") or not raw.strip():
            if current.get("msgid") is not None and (raw.startswith("#") or not raw.strip()) and key:
                entries.append(current)
                current = {"lines": []}
                key = None
            current["lines"].append(raw)
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) (".*")$', raw)
        if m:
            key = m.group(1)
            current[key] = _unquote(m.group(2))
            current.setdefault("order", []).append(key)
        elif raw.startswith('"') and key:
            current[key] += _unquote(raw)
    if current.get("msgid") is not None:
        entries.append(current)
    return entries


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(entries: list[dict]) -> str:
    out: list[str] = []
    for entry in entries:
        out.extend(line for line in entry["lines"] if not line.startswith("#, fuzzy"))
        for key in entry.get("order", []):
            out.append(f"{key} {_quote(entry[key])}")
    return "\n".join(out) + "\n"


def main() -> None:
    path = sys.argv[1]
    entries = parse(open(path, encoding="utf-8").read())
    if sys.argv[2] == "--missing":
        missing = [
            e["msgid"]
            for e in entries
            if e["msgid"]
            and (
                not all(e[k] for k in e["order"] if k.startswith("msgstr"))
                or any(line.startswith("#, fuzzy") for line in e["lines"])
            )
        ]
        print(json.dumps({m: "" for m in missing}, ensure_ascii=False, indent=1))
        return
    translations = json.load(open(sys.argv[2], encoding="utf-8"))
    for entry in entries:
        value = translations.get(entry["msgid"])
        if not entry["msgid"] or value is None:
            continue
        for key in entry["order"]:
            if key.startswith("msgstr"):
                if isinstance(value, list):
                    entry[key] = value[int(key[7]) if "[" in key else 0]
                else:
                    entry[key] = value
        entry["lines"] = [line for line in entry["lines"] if not line.startswith("#, fuzzy")]
    open(path, "w", encoding="utf-8").write(render(entries))


if __name__ == "__main__":
    main()
