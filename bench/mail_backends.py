"""E-mail backends for the benchmarks, importable by a worker started with ``bench/`` on its path."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class EmptiedLocmemBackend(EmailBackend):
    """Django's locmem backend (each message serialised as for sending, kept in ``mail.outbox``) with the
    outbox emptied after each batch: a worker sending 25,000 e-mails would otherwise keep them all in
    memory, and the benchmark measures the job's memory, not the test outbox's."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        mail.outbox.clear()
        return sent
