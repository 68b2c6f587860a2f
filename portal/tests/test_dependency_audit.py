"""The CI dependency audit (scripts/audit_dependencies.py), with a stand-in registry: no network."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = audit  # dataclasses look their module up
spec.loader.exec_module(audit)

BASE = "https://registry.test/pypi"
ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": ["1.0.1"], "link": "https://x.test/1"}


@pytest.fixture
def requirements(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# via x\nGood==2.0 \\\n    --hash=sha256:abc\nbad_pkg==1.0 ; python_version >= '3'\nold==1.0\n-e .\nloose>=1\n"
    )
    return path


def registry(documents):
    def fetch(url):
        if url in documents:
            value = documents[url]
            if isinstance(value, Exception):
                raise value
            return value
        return None

    return fetch


def test_it_reads_only_exact_pins(requirements):
    assert audit.read_pins([requirements]) == {"good": "2.0", "bad-pkg": "1.0", "old": "1.0"}


def test_it_fails_on_a_vulnerable_pin_and_names_the_advisory(requirements, capsys):
    fetch = registry(
        {
            f"{BASE}/good/2.0/json": {"vulnerabilities": []},
            f"{BASE}/bad-pkg/1.0/json": {"vulnerabilities": [ADVISORY]},
            f"{BASE}/old/1.0/json": {"vulnerabilities": [{**ADVISORY, "id": "X", "withdrawn": "2099-01-01"}]},
        }
    )
    assert audit.main([str(requirements), "--base-url", BASE], fetch=fetch) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE bad-pkg==1.0: PYSEC-2099-1 (CVE-2099-1) fixed in 1.0.1" in out
    assert "old==1.0" not in out  # a withdrawn advisory does not count
    # An advisory accepted after review is ignored by id or alias.
    assert audit.main([str(requirements), "--base-url", BASE, "--ignore", "CVE-2099-1"], fetch=fetch) == 0


def test_it_uses_the_project_document_for_the_latest_release_only(requirements, capsys):
    fetch = registry(
        {
            f"{BASE}/good/json": {"info": {"version": "2.0"}, "releases": {"2.0": []}, "vulnerabilities": []},
            f"{BASE}/bad-pkg/json": {
                "info": {"version": "1.0"},
                "releases": {"1.0": []},
                "vulnerabilities": [ADVISORY],
            },
            f"{BASE}/old/json": {"info": {"version": "3.0"}, "releases": {"1.0": [], "3.0": []}, "vulnerabilities": []},
        }
    )
    assert audit.main([str(requirements), "--base-url", BASE], fetch=fetch) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE bad-pkg==1.0" in out
    assert "UNCHECKED old==1.0: only the latest release (3.0)" in out


def test_an_unreachable_registry_warns_and_fails_only_when_strict(requirements, capsys):
    down = audit.Unreachable("no route to host")
    fetch = registry({f"{BASE}/{n}/{v}/json": down for n, v in [("good", "2.0"), ("bad-pkg", "1.0"), ("old", "1.0")]})
    assert audit.main([str(requirements), "--base-url", BASE], fetch=fetch) == 0
    captured = capsys.readouterr()
    assert "could not be reached for 3 of 3 pins; those were NOT audited" in captured.err
    assert "0 checked" in captured.out
    assert audit.main([str(requirements), "--base-url", BASE, "--strict"], fetch=fetch) == 2
