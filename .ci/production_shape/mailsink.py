"""An SMTP server that keeps every message it is given (aiosmtpd, in a thread of the runner)."""

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class MailSink:
    def __init__(self, port: int):
        self.port = port
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._running = False
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, condition, *, timeout: float, poll) -> list[EmailMessage]:
        """The messages once ``condition(messages)`` holds; ``poll()`` runs between looks (e.g. to check the
        processes are alive). Returns the messages even if the time ran out: the caller says what is missing."""
        deadline = time.monotonic() + timeout
        while not condition(self.received()) and time.monotonic() < deadline:
            poll()
            time.sleep(0.5)
        return self.received()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""
