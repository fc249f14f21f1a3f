"""Worker commands that fail in every way a worker process can, and a word each failure's warning gives."""

from __future__ import annotations

import sys
from pathlib import Path

FAILING_WORKERS = [
    ((sys.executable, "-c", "import sys; sys.exit(3)"), "exit status 3"),
    ((sys.executable, "-c", "import sys; sys.stdin.buffer.read(); print('garbage')"), ""),
    (
        (
            sys.executable,
            "-c",
            "import pickle, sys; sys.stdin.buffer.read(); sys.stdout.buffer.write(pickle.dumps([]))",
        ),
        "answer",  # the answer is not what the task gives
    ),
    ((str(Path(__file__).parent / "no-such-python"),), "No such file"),
    ((sys.executable, "-c", "import time; time.sleep(600)"), ""),  # stuck: killed once out of patience
]
