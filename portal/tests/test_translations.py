"""Every user-facing string has a Danish translation.

For each catalogue (the project's shell apps, and each area app), the sources are
copied aside and ``makemessages`` is run on the copy, so a string that was added
to the code but not to the catalogue counts as untranslated too.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SHELL = [
    "accounts",
    "companies",
    "audit",
    "jobs",
    "outbox",
    "common",
    "registry",
    "portal",
    "api",
    "selfservice",
    "templates",
    "locale",
]
AREA_APPS = ["tickets", "subscriptions", "numbering", "invoicing", "employees", "products"]


def _catalogues() -> list[tuple[str, list[Path]]]:
    catalogues = [("project", [ROOT / name for name in SHELL])]
    catalogues += [(app, [ROOT / app]) for app in AREA_APPS if (ROOT / app).exists()]
    return catalogues


def _statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def _untranslated(po: Path) -> list[str]:
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    )
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    )
    ids = re.findall(r'^msgid "(.+)"$', result.stdout + fuzzy.stdout, flags=re.MULTILINE)
    return ids


@pytest.mark.parametrize(("name", "sources"), _catalogues(), ids=[n for n, _ in _catalogues()])
def test_every_message_has_a_danish_translation(name, sources, tmp_path):
    work = tmp_path / name
    work.mkdir()
    for source in sources:
        shutil.copytree(source, work / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    if name != "project":
        work = work / sources[0].name
        (work / "locale").mkdir(exist_ok=True)
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "da", "--no-location", "-v0"],
        cwd=work,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    po = work / "locale" / "da" / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"{name} has no Danish catalogue"
    _statistics(po)
    missing = _untranslated(po)
    assert missing == [], f"{name}: untranslated or fuzzy Danish messages: {missing[:20]}"
