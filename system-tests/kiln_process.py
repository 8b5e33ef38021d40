"""Starts and stops a real `kiln serve` child process on a loopback port with its own data dir."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

KILN_BIN = os.environ.get("KILN_BIN", str(Path(__file__).resolve().parents[1] / ".build/debug/kiln"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KilnProcess:
    def __init__(self, data_dir: Path, extra_args=(), env=None):
        self.data_dir = Path(data_dir)
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.port = None
        self.proc = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_key(self) -> str:
        return (self.data_dir / "admin.key").read_text().strip()

    def headers(self, key=None) -> dict:
        return {"Authorization": f"Bearer {key or self.admin_key}"}

    def start(self, timeout=30.0) -> "KilnProcess":
        self.port = free_port()
        self.log = open(self.log_path, "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KILN_")}
        env.update(self.env)
        self.proc = subprocess.Popen(
            [KILN_BIN, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kiln exited with {self.proc.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/ready", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise TimeoutError("kiln did not become ready")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=30.0) -> int:
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "log") and not self.log.closed:
            self.log.close()
