"""A small browser behind the documented TLS reverse proxy.

Every request carries what the proxy adds in front of gunicorn (README, "Production with Docker
Compose"): ``X-Forwarded-Proto: https``, ``X-Forwarded-For`` with the client's address, and the public
``Host``. Cookies are kept by hand: the site's cookies are ``Secure`` (the site believes it is served
over HTTPS), which a cookie jar would never send over the plain-HTTP hop to gunicorn. Forms are read
from the pages and submitted with their hidden fields (the CSRF token), like a browser does.
"""

import html
import http.client
import json
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

REQUEST_TIMEOUT = 20


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").lower(),
                enctype=attributes.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio", "file", "submit") and "checked" not in attributes:
                return
            self._current.fields.setdefault(attributes["name"], attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@dataclass
class Page:
    url: str
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def readable(self) -> str:
        """The page's main content as plain text (form errors included), for failure messages."""
        text = self.text
        start, end = text.find("<main"), text.rfind("</main>")
        if start != -1 and end != -1:
            text = text[start:end]
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return urlsplit(urljoin(self.url, self.headers.get("Location", ""))).path

    def forms(self) -> list[Form]:
        parser = _Forms()
        parser.feed(self.text)
        return parser.forms

    def form(self, *, action_ends_with: str = "", having: str = "") -> Form:
        """The page's form posting to ``…action_ends_with`` and/or with a field named ``having``."""
        for form in self.forms():
            action = urlsplit(urljoin(self.url, form.action or self.url)).path
            if action.endswith(action_ends_with) and (not having or having in form.fields):
                form.action = action
                return form
        raise AssertionError(f"{self.url}: no form for {action_ends_with or having!r} (status {self.status})")


class Browser:
    def __init__(self, *, port: int, host: str, client_address: str):
        self.port = port
        self.host = host
        self.client_address = client_address
        self.cookies: dict[str, str] = {}

    def _headers(self, path: str) -> dict[str, str]:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_address,
            "User-Agent": "colocauto-production-shape/1",
            "Accept-Language": "fr",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers={**self._headers(path), **(headers or {})})
            response = connection.getresponse()
            page = Page(f"https://{self.host}{path}", response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in page.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return page

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def submit(self, form: Form, **values: str) -> Page:
        """Post the form with its own fields (hidden ones included), ``values`` filled in, as a browser would."""
        fields = {**form.fields, **values}
        origin = f"https://{self.host}"
        headers = {"Origin": origin, "Referer": origin + form.action}
        if form.enctype == "multipart/form-data":
            boundary = f"----shape{secrets.token_hex(8)}"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in fields.items()
            ]
            body = ("".join(parts) + f"--{boundary}--\r\n").encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request(form.method.upper(), form.action, body=body, headers=headers)
