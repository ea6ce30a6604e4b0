"""Run a CP-SAT search in a child process, so that a native abort cannot take the caller down.

OR-Tools 9.15 can abort the whole process from native code (a failed ``CHECK`` in
CP-SAT's postsolve: ``solution->size() == postsolve_mapping.size()``, exit 134);
Python cannot catch that. The TUI and ``plan --apply`` solve in their own process,
so every CP-SAT search of a plan runs here instead: in a long-lived worker process
(``python -m solver.contained``), one job at a time. When the worker dies, the caller
gets :class:`SearchCrashed` with the last lines the worker wrote to stderr, keeps the
best plan it already has, and a new worker is started for the next job.

A job is a module-level function named by ``"module:function"``, called in the worker
with pickled arguments and an ``emit`` function for progress messages (each is
pickled back and handed to the caller's ``on_message``, in the caller's thread).
Cancelling kills the worker: the job's own result is lost, the caller's best plan is
not. Same job, same arguments: same result as in-process (CP-SAT's determinism does
not depend on the process it runs in).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

#: Message tags between the caller and the worker.
_RESULT, _MESSAGE, _ERROR = "result", "message", "error"

#: Lines of the worker's stderr quoted when it dies.
CRASH_LINES = 3

_HEADER = struct.Struct("!Q")


class SearchCrashed(RuntimeError):
    """The worker process died during a job (a native abort, a kill, out of memory).

    Attributes:
        detail: the last lines the worker wrote to stderr (the abort message), or its
            exit status.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SearchCancelled(RuntimeError):
    """The caller's cancel event stopped the job (the worker was killed)."""


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> tuple[Any, Any]:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    tag, value = pickle.loads(data)
    return tag, value


class _Worker:
    """One worker process and the file its stderr goes to."""

    def __init__(self) -> None:
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the worker
            prefix="pmo-tui-cpsat-", suffix=".log", delete=False
        )
        package_root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "solver.contained"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.close()

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)

    def crash_detail(self) -> str:
        """The last lines of the worker's stderr, or its exit status."""
        self.process.wait()
        text = Path(self.log.name).read_text(errors="replace").strip().splitlines()
        lines = [line for line in text if line.strip()][-CRASH_LINES:]
        status = f"exit status {self.process.returncode}"
        return "; ".join([*lines, status]) if lines else status


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _take_worker() -> _Worker:
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.alive():
                return worker
            worker.close()
    return _Worker()


def _give_back(worker: _Worker) -> None:
    with _idle_lock:
        _idle.append(worker)


def shutdown() -> None:
    """Stop the idle workers (they also end with the caller's process)."""
    with _idle_lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.kill()


def run_contained(
    job: str,
    arguments: tuple[Any, ...],
    on_message: Callable[[Any], None] | None = None,
    cancel: threading.Event | None = None,
) -> Any:
    """Call ``job`` (``"module:function"``) with ``arguments`` in a worker process.

    The function is called as ``function(*arguments, emit=emit)``; each ``emit(value)``
    reaches ``on_message(value)`` here.

    Returns:
        What the function returned (pickled across).

    Raises:
        SearchCrashed: the worker died (e.g. a native abort of CP-SAT).
        SearchCancelled: ``cancel`` was set before the job ended.
        Exception: what the function raised, re-raised here.
    """
    worker = _take_worker()
    state = threading.Lock()  # the result and a cancel-kill never cross
    done = threading.Event()
    stopped = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel is not None and cancel.wait(0.05):
                with state:
                    if not done.is_set():
                        stopped.set()
                        with contextlib.suppress(OSError):
                            worker.process.kill()
                return

    watcher = threading.Thread(target=watch, name="cp-sat-worker-cancel", daemon=True)
    if cancel is not None:
        watcher.start()
    try:
        assert worker.process.stdin is not None and worker.process.stdout is not None
        _send(worker.process.stdin, (job, arguments))
        while True:
            tag, value = _receive(worker.process.stdout)
            if tag == _MESSAGE:
                if on_message is not None:
                    on_message(value)
                continue
            with state:
                done.set()
                lost = stopped.is_set()
            if lost:
                raise EOFError
            _give_back(worker)
            if tag == _ERROR:
                raise value
            return value
    except (EOFError, OSError) as error:
        with state:
            done.set()
        if stopped.is_set():
            worker.kill()
            raise SearchCancelled() from error
        detail = worker.crash_detail()
        worker.close()
        raise SearchCrashed(detail) from error
    finally:
        done.set()
        if cancel is not None:
            watcher.join()


def _serve() -> None:
    """The worker's loop: read a job, run it, write messages and the result."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    # stray prints (native logs) must not corrupt the replies: stdout goes to stderr
    os.dup2(2, 1)
    lock = threading.Lock()

    def emit(value: object) -> None:
        with lock:
            _send(replies, (_MESSAGE, value))

    while True:
        try:
            job, arguments = _receive(requests)
        except EOFError:
            return
        module_name, function_name = str(job).split(":")
        try:
            function = getattr(importlib.import_module(module_name), function_name)
            reply: tuple[str, object] = (_RESULT, function(*arguments, emit=emit))
        except Exception as error:
            reply = (_ERROR, error)
        with lock:
            _send(replies, reply)


if __name__ == "__main__":
    _serve()
