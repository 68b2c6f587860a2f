#!/usr/bin/env python3
"""Audits the pinned requirements against the vulnerability data of the PyPI JSON API.

For every ``name==version`` pin in requirements.txt and requirements-dev.txt it asks the
registry's JSON API for that release (``/pypi/<name>/<version>/json``), whose ``vulnerabilities``
field lists the known advisories (PyPA advisory database and OSV) that affect exactly that release.
Where a registry serves only the project document (``/pypi/<name>/json``), that document's
``vulnerabilities`` describe its latest release: a pin of that release is checked just the same;
an older pin cannot be checked there and is reported as unchecked.

Exit codes: 0 no known vulnerability; 1 a pin has one (not withdrawn, not ignored);
2 with ``--strict`` when a pin could not be checked (registry unreachable, or an older pin
where only the project document is served). Without ``--strict`` those are loud warnings, so
that CI on a machine without the registry does not fail; the audit then did NOT happen.

Uses only the standard library (it runs before and without the virtualenv).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
DEFAULT_BASE = os.environ.get("PYPI_JSON_URL", "https://pypi.org/pypi")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\#]+)")


class Unreachable(Exception):
    """The registry did not answer (network, DNS, time-out, 5xx)."""


@dataclass
class Result:
    name: str
    version: str
    vulnerabilities: list[dict] = field(default_factory=list)
    unchecked: str = ""  # why the pin could not be checked


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(paths: list[Path]) -> dict[str, str]:
    """``name -> version`` for every ``==`` pin (first one wins; both files pin the same versions)."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                pins.setdefault(normalise(match.group(1)), match.group(2))
    return pins


Fetch = Callable[[str], dict | None]


def http_fetch(timeout: float) -> Fetch:
    def fetch(url: str) -> dict | None:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "selfservice-dependency-audit"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise Unreachable(f"{url}: HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise Unreachable(f"{url}: {error}") from error

    return fetch


def check(name: str, version: str, base: str, fetch: Fetch) -> Result:
    result = Result(name, version)
    release = fetch(f"{base}/{name}/{version}/json")
    if release is not None:
        result.vulnerabilities = list(release.get("vulnerabilities") or [])
        return result
    project = fetch(f"{base}/{name}/json")
    if project is None:
        result.unchecked = "not on the registry"
        return result
    latest = project.get("info", {}).get("version")
    if latest == version:
        result.vulnerabilities = list(project.get("vulnerabilities") or [])
    elif version not in (project.get("releases") or {version: None}):
        result.unchecked = f"release {version} not on the registry (latest {latest})"
    else:
        # The project document's advisories describe its latest release only.
        result.unchecked = f"only the latest release ({latest}) can be checked on this registry"
    return result


def relevant(vulnerability: dict, ignored: set[str]) -> bool:
    if vulnerability.get("withdrawn"):
        return False
    ids = {vulnerability.get("id") or "", *(vulnerability.get("aliases") or [])}
    return not ids & ignored


def audit(pins: dict[str, str], base: str, fetch: Fetch, ignored: set[str]) -> tuple[list[Result], list[str]]:
    errors: list[str] = []

    def one(item: tuple[str, str]) -> Result | None:
        try:
            return check(item[0], item[1], base, fetch)
        except Unreachable as error:
            errors.append(str(error))
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [r for r in pool.map(one, sorted(pins.items())) if r is not None]
    for result in results:
        result.vulnerabilities = [v for v in result.vulnerabilities if relevant(v, ignored)]
    return results, errors


def main(argv: list[str] | None = None, fetch: Fetch | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--base-url", default=DEFAULT_BASE, help="PyPI JSON API base (env PYPI_JSON_URL)")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="an advisory id or alias accepted after review (repeatable)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 2 when a pin could not be checked (env AUDIT_STRICT=1)"
    )
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args(argv)
    strict = args.strict or os.environ.get("AUDIT_STRICT") == "1"
    base = args.base_url.rstrip("/")

    pins = read_pins(args.files)
    results, errors = audit(pins, base, fetch or http_fetch(args.timeout), set(args.ignore))

    found = [r for r in results if r.vulnerabilities]
    unchecked = [r for r in results if r.unchecked]
    for result in found:
        for vuln in result.vulnerabilities:
            fixed = ", ".join(vuln.get("fixed_in") or []) or "no fixed release"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(f"VULNERABLE {result.name}=={result.version}: {vuln.get('id')} ({aliases}) fixed in {fixed}")
            if vuln.get("link"):
                print(f"    {vuln['link']}")
    for result in unchecked:
        print(f"UNCHECKED {result.name}=={result.version}: {result.unchecked}")
    if errors:
        print(
            f"WARNING: the registry could not be reached for {len(errors)} of {len(pins)} pins; "
            "those were NOT audited:",
            file=sys.stderr,
        )
        for error in errors[:5]:
            print(f"    {error}", file=sys.stderr)
    checked = len(results) - len(unchecked)
    print(
        f"Dependency audit: {len(pins)} pins, {checked} checked, {len(found)} vulnerable, "
        f"{len(unchecked) + len(errors)} unchecked"
    )
    if found:
        return 1
    if strict and (errors or unchecked):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
