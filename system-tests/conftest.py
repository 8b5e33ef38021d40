import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kiln_process import KilnProcess  # noqa: E402


@pytest.fixture
def kiln_factory(tmp_path):
    started = []

    def make(name="data", extra_args=(), env=None):
        process = KilnProcess(tmp_path / name, extra_args=extra_args, env=env)
        started.append(process)
        return process

    yield make
    for process in started:
        process.stop()
