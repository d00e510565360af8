"""A real SMTP server for the tests (aiosmtpd, on a free local port): it records what it accepts,
can refuse chosen addresses, and can be slow, as a busy mail server is."""

import asyncio
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.processes import free_port


@dataclass
class Received:
    to: list[str]
    content: bytes
    accepted_at: float


@dataclass
class SmtpSink:
    """The handler: ``refuse`` maps an address to the reply its RCPT gets ("550 5.1.1 No such user");
    ``delay`` seconds pass between the end of a message's data and the server's "250" reply."""

    refuse: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    handed_over: list[list[str]] = field(default_factory=list)  # messages whose data was complete
    sessions: list[object] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 — aiosmtpd's hook name
        if not any(known is session for known in self.sessions):
            self.sessions.append(session)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self.lock:
            self.handed_over.append(list(envelope.rcpt_tos))
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), envelope.content, time.monotonic()))
        return "250 Message accepted for delivery"

    def addresses(self) -> list[str]:
        with self.lock:
            return [address for message in self.received for address in message.to]


class MailServer:
    """Start with ``with MailServer(sink) as server:``; ``server.port`` is where it listens."""

    def __init__(self, sink: SmtpSink):
        self.sink = sink
        self.port = free_port()
        self.controller = Controller(sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.controller.stop()

    def django_settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_TIMEOUT": 10,
        }
