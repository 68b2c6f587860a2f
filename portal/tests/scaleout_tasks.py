"""A task for portal/tests/test_scale_out.py: notes which process ran it, in a file the test reads."""

import os
import time

from django.tasks import task


@task
def note_run(path: str, n: int) -> None:
    time.sleep(0.02)  # long enough that both workers get some of the queue
    with open(path, "a") as log:
        log.write(f"{n} {os.getpid()}\n")
