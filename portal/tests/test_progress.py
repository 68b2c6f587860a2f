from io import StringIO

from django.core.management.base import OutputWrapper
from django.utils import translation

from common.progress import Progress
from portal.testing import FakeTerminal


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_it_writes_plain_lines_every_ten_per_cent_when_not_on_a_terminal():
    out = StringIO()
    with Progress(out, total=100, label="Billing", unit="companies", clock=FakeClock()) as progress:
        for done in range(1, 101):
            progress.update(done)

    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "Billing: 10%, 10/100 companies, 0.0 s"
    assert [line.split(",")[0] for line in lines[:9]] == [f"Billing: {p}%" for p in range(10, 100, 10)]
    assert lines[-1] == "Billing: 100%, 100/100 companies, 0.0 s, done"
    assert len(lines) == 10


def test_it_writes_a_plain_line_every_so_many_seconds_when_progress_is_slow():
    clock = FakeClock()
    out = StringIO()
    progress = Progress(out, total=1000, label="Billing", unit="companies", every_seconds=30, clock=clock)
    for done in range(1, 40):  # under 10 %: only the clock makes lines
        clock.now = done * 5.0
        progress.update(done)

    lines = out.getvalue().splitlines()
    assert lines[:2] == ["Billing: 0%, 6/1000 companies, 30.0 s", "Billing: 1%, 12/1000 companies, 60.0 s"]
    assert len(lines) == 6
    assert "\r" not in out.getvalue()


def test_it_writes_only_by_the_clock_when_the_total_is_unknown():
    clock = FakeClock()
    out = StringIO()
    with Progress(out, total=None, label="usage.csv", unit="rows", every_seconds=10, clock=clock) as progress:
        for done in range(1, 26):
            clock.now = float(done)
            progress.update(done * 100)

    assert out.getvalue().splitlines() == [
        "usage.csv: 1000 rows, 10.0 s",
        "usage.csv: 2000 rows, 20.0 s",
        "usage.csv: 2500 rows, 25.0 s, done",
    ]


def test_it_draws_a_bar_in_place_on_a_terminal():
    clock = FakeClock()
    terminal = FakeTerminal()
    with Progress(terminal, total=4, label="Billing", unit="companies", width=8, clock=clock) as progress:
        for done in range(1, 5):
            clock.now += 1
            progress.update(done)

    drawn = terminal.getvalue()
    assert drawn.startswith("\r[##......] Billing: 25%, 1/4 companies, 1.0 s")
    assert "\r[########] Billing: 100%, 4/4 companies, 4.0 s" in drawn
    assert drawn.endswith("\n") and drawn.count("\n") == 1  # one line, redrawn


def test_it_keeps_log_lines_above_the_bar_on_a_terminal():
    terminal = FakeTerminal()
    progress = Progress(terminal, total=2, label="Demo data", unit="steps", width=4, clock=FakeClock())
    progress.update(1)
    progress.log("  tickets: 30")
    progress.close()

    screen = terminal.getvalue()
    assert "\r[##..] Demo data: 50%, 1/2 steps, 0.0 s" in screen
    assert "  tickets: 30\n[##..]" in screen  # the bar is cleared, the message written, the bar drawn again


def test_it_writes_to_a_commands_stream_without_adding_newlines():
    terminal = FakeTerminal()
    progress = Progress(OutputWrapper(terminal), total=2, label="Billing", unit="companies", clock=FakeClock())
    progress.update(1)
    progress.update(2)

    assert "\n" not in terminal.getvalue()


def test_it_says_stopped_when_an_error_ends_the_job():
    out = StringIO()
    try:
        with Progress(out, total=10, label="Billing", unit="companies", clock=FakeClock()) as progress:
            progress.update(3)
            raise RuntimeError
    except RuntimeError:
        pass

    assert out.getvalue().splitlines()[-1] == "Billing: 30%, 3/10 companies, 0.0 s, stopped"


def test_it_speaks_danish():
    out = StringIO()
    with (
        translation.override("da"),
        Progress(out, total=2, label="Fakturering", unit="virksomheder", clock=FakeClock()) as progress,
    ):
        progress.update(2)

    assert out.getvalue() == "Fakturering: 100%, 2/2 virksomheder, 0,0 s, færdig\n"
