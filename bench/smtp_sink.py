"""A real SMTP server on loopback for the benchmarks (aiosmtpd, a dev dependency): it accepts every
message, keeps nothing, and on SIGTERM prints how many sessions (connections) and messages it took.

    .venv/bin/python bench/smtp_sink.py PORT
"""

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class CountingSink:
    def __init__(self) -> None:
        self.sessions: dict[int, object] = {}  # kept alive, so no id is reused
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.sessions[id(session)] = session
        self.messages += 1
        return "250 Message accepted for delivery"


def main() -> None:
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    print(f"sessions={len(sink.sessions)} messages={sink.messages}", flush=True)


if __name__ == "__main__":
    main()
