"""Two gunicorn instances behind one address share PostgreSQL and Redis (scripts/scale_out_demo.py).

A signed-in admin's requests alternate between the instances and stay signed in on both; two ``db_worker``
processes take tasks from the one queue and no task runs twice. PostgreSQL only (like the ``fault`` tests:
the processes must share the test's committed data); needs ``redis-server`` (a private one is started).
"""

import collections
import http.cookiejar
import importlib.util
import re
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.tests.factories import PASSWORD
from companies.tests.factories import CompanyFactory, MembershipFactory
from portal.tests.scaleout_tasks import note_run

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the instances share the test database: PostgreSQL"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (apt-get install redis-server)"),
]

_spec = importlib.util.spec_from_file_location("scale_out_demo", Path(settings.BASE_DIR) / "scripts/scale_out_demo.py")
assert _spec and _spec.loader
demo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo)


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def stack(tmp_path):
    ports = [demo.free_port(), demo.free_port()]
    with demo.running(
        database_url=_database_url(),
        redis_url=None,
        ports=ports,
        front=demo.free_port(),
        workers=2,
        # Production settings with plain static files (no collectstatic manifest needed) and DEBUG off.
        settings_module="subscriptions.benchmarks.settings",
        extra_env={"MEDIA_ROOT": str(tmp_path / "files"), "EMAIL_BACKEND": "file", "EMAIL_FILE_PATH": str(tmp_path)},
        logs=tmp_path,
    ) as running:
        yield running


def test_a_session_survives_requests_going_to_the_other_instance(stack):
    company = CompanyFactory(name="Skalering ApS")
    user = MembershipFactory(company=company, user__email="skala@skalering.dk").user
    # The tests hash with MD5 for speed; the instances know only production's hashers.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scaleoutsalt", iterations=1000)
    user.save(update_fields=["password"])
    front = f"http://127.0.0.1:{stack.front}"
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login_page = browser.open(f"{front}/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.read()).group(1).decode()
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": user.email, "password": PASSWORD})
    signed_in = browser.open(f"{front}/accounts/login/", data=data.encode())
    assert signed_in.geturl() == f"{front}/", signed_in.geturl()
    served_by = collections.Counter()
    for _ in range(6):
        page = browser.open(f"{front}/")
        served_by[page.headers["X-Served-By"]] += 1
        body = page.read()
        # Not sent to the sign-in page: the overview of the admin's company.
        assert page.status == 200 and page.geturl() == f"{front}/"
        assert b"Skalering ApS" in body
    # Every page was the signed-in overview, from both instances.
    assert set(served_by) == {str(port) for port in stack.ports}, served_by


def test_two_workers_take_tasks_from_one_queue_and_none_runs_twice(stack, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    runs = tmp_path / "runs.txt"
    for n in range(40):
        note_run.enqueue(str(runs), n)
    deadline = time.monotonic() + 90
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = runs.read_text().splitlines() if runs.exists() else []
        if len(lines) >= 40:
            break
        time.sleep(0.2)
    time.sleep(1)  # a second run of any task would show up now
    lines = runs.read_text().splitlines()
    tasks = collections.Counter(line.split()[0] for line in lines)
    processes = {line.split()[1] for line in lines}
    assert sorted(tasks) == sorted(str(n) for n in range(40)), (stack.log("worker-1"), stack.log("worker-2"))
    assert set(tasks.values()) == {1}, "a task ran twice"
    assert len(processes) == 2, processes
