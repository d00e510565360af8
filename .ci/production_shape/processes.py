"""The processes of one run: started in their own process group with their output in a log file,
health-checked like compose does, stopped (the whole group) whatever happens."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

LOG_TAIL_LINES = 150
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the runner dies, even by SIGKILL, so nothing outlives the step."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the runner's clean-up still stops every group
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class StepFailed(Exception):
    """The production-shape run failed; the message says which step and why."""


class Processes:
    """Every process started in this run, by name, in start order."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (the commands of docker-compose.yml, by design)
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self.started[name] = process
        print(f"    started {name} (pid {process.pid}): {' '.join(command)[:160]}", flush=True)
        return process

    def check_running(self) -> None:
        for name, process in self.started.items():
            if process.poll() is not None:
                raise StepFailed(f"{name} exited with status {process.returncode}")

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def print_logs(self) -> None:
        for path in sorted(self.log_dir.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()
            shown = lines[-LOG_TAIL_LINES:]
            print(f"\n----- log of {path.stem} ({len(lines)} lines, last {len(shown)}) -----")
            print("\n".join(shown))

    def stop_all(self, grace: float = 10) -> None:
        """SIGTERM every group (last started first), then SIGKILL what is left after ``grace`` seconds."""
        for process in reversed(self.started.values()):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, process in reversed(self.started.items()):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"    {name} did not stop within {grace:.0f} s: killing it")
            _signal_group(process, signal.SIGKILL)  # its children too, even if the leader is gone
            process.wait()


def _signal_group(process: subprocess.Popen, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal_number)


def run(command: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    """A one-off command (like ``docker compose exec``): output captured, bounded in time, group killed on timeout."""
    with subprocess.Popen(  # noqa: S603 (the commands of docker-compose.yml, by design)
        command,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            output, _ = process.communicate()
            return subprocess.CompletedProcess(command, -signal.SIGKILL, output + f"\n(killed after {timeout:.0f} s)")
        except BaseException:  # the run is being stopped: do not wait for the command to finish
            _signal_group(process, signal.SIGKILL)
            raise
        _signal_group(process, signal.SIGKILL)  # anything it left behind in its group
        return subprocess.CompletedProcess(command, process.returncode, output)


def wait_healthy(processes: Processes, name: str, check: list[str], *, env, cwd: Path, within: float, timeout: float):
    """Run the service's health check until it passes, as compose does during ``start_period``."""
    began = time.monotonic()
    deadline = began + within
    attempts = 0
    while True:
        processes.check_running()
        attempts += 1
        result = run(check, env=env, cwd=cwd, timeout=min(timeout, max(1.0, deadline - time.monotonic())))
        if result.returncode == 0:
            print(f"    {name} healthy after {time.monotonic() - began:.1f} s ({attempts} check(s))", flush=True)
            return
        if time.monotonic() >= deadline:
            raise StepFailed(
                f"{name} not healthy within {within:.0f} s; last health check said:\n{result.stdout[-2000:]}"
            )
        time.sleep(1)
