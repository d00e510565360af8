"""docker-compose.yml (and the Dockerfile's ENV) read into commands this machine can run.

What compose and the image would do is done here the same way: the Dockerfile's ``ENV`` lines, then
the service's ``env_file`` (the site's variables, given by the caller), then its ``environment:``,
interpolated like compose does (``${VAR:-default}``, ``${VAR:?message}``, ``$$``); ``command`` and
``healthcheck`` split like compose splits them. Only what cannot exist outside a container is
translated, each time explicitly, and a translation that no longer finds what it translates fails
loudly instead of running something else:

- the service names in URLs (``postgres:5432``, ``redis:6379``) become the local servers' addresses;
- the container port (``8000``) becomes a free local port, bound to 127.0.0.1 only;
- the container paths (``/app`` the code, ``/data`` the volumes, ``/tmp``) become the checkout and
  a private directory of this run;
- ``HOSTNAME`` is this machine's host name, as Docker sets the container's.
"""

import re
import shlex
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_]\w*)|(?P<invalid>))"
)
_CONTAINER_PATH = re.compile(r"(?<![\w.:/-])/(app|data|tmp)(?![\w.-])")
_DURATION = re.compile(r"(?:(\d+)m)?(?:(\d+)s)?$")


class ComposeError(Exception):
    """docker-compose.yml says something this runner cannot reproduce faithfully."""


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    environment: dict[str, str]
    healthcheck: list[str] | None
    healthcheck_timeout: float
    start_period: float
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class Local:
    """Where the containers' neighbours are on this machine."""

    addresses: Mapping[str, tuple[str, int]]  # compose service name → (host, port)
    web_port: int
    run_dir: Path


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's variable substitution, for the forms docker-compose.yml uses."""

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ComposeError(f"invalid interpolation in {value!r}")
        name = match["braced"] or match["named"]
        operator, argument = match["operator"], match["argument"]
        present = name in variables
        usable = present and (variables[name] != "" or not (operator or "").startswith(":"))
        if operator in (":-", "-"):
            return variables[name] if usable else argument
        if operator in (":?", "?"):
            if not usable:
                raise ComposeError(f"{name}: {argument or 'required'}")
            return variables[name]
        return variables.get(name, "")

    return _VARIABLE.sub(substitute, value)


def image_environment(dockerfile: Path = DOCKERFILE) -> dict[str, str]:
    """The ``ENV`` instructions of the Dockerfile (``KEY=value`` form, line continuations joined)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    environment: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0].upper() == "ENV":
            for word in words[1:]:
                key, separator, value = word.partition("=")
                if not separator:
                    raise ComposeError(f"Dockerfile: write ENV as KEY=value, not {line.strip()!r}")
                environment[key] = value
    return environment


def _seconds(duration: str | None, default: float) -> float:
    match = _DURATION.match(str(duration or ""))
    if not duration or not match or not any(match.groups()):
        return default
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def _service_environment(spec: dict, variables: Mapping[str, str]) -> dict[str, str]:
    """``environment:`` as a mapping or a list of ``KEY=value``; a bare ``KEY`` passes the variable through."""
    entries = spec.get("environment") or {}
    if isinstance(entries, list):
        entries = dict(entry.partition("=")[::2] if "=" in entry else (entry, None) for entry in entries)
    resolved = {}
    for key, value in entries.items():
        if value is None:
            if key in variables:
                resolved[key] = variables[key]
        else:
            resolved[key] = interpolate(str(value), variables)
    return resolved


def _localise_path(text: str, local: Local) -> str:
    def replace(match: re.Match) -> str:
        return str(ROOT) if match[1] == "app" else str(local.run_dir / match[1])

    return _CONTAINER_PATH.sub(replace, text)


def _localise_url(value: str, local: Local) -> str:
    """A URL naming a neighbour service (``postgres://u:p@postgres:5432/db``) points at the local one."""
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return value
    if not parts.scheme or host not in local.addresses:
        return value
    local_host, local_port = local.addresses[host]
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@" if credentials else ""
    if port is None:
        raise ComposeError(f"{value!r}: name the port of {host}, so it can be mapped")
    return parts._replace(netloc=f"{netloc}{local_host}:{local_port}").geturl()


def _container_port(spec: dict) -> int | None:
    ports = spec.get("ports") or []
    if len(ports) > 1:
        raise ComposeError("only one published port per service is supported")
    return int(str(ports[0]).rsplit(":", 1)[-1].split("/")[0]) if ports else None


def _localise_port(words: list[str], port: int | None, local: Local, *, required: bool, what: str) -> list[str]:
    if port is None:
        return words
    pattern = re.compile(rf"\b(?:0\.0\.0\.0|127\.0\.0\.1|localhost):{port}\b")
    replaced = [pattern.sub(f"127.0.0.1:{local.web_port}", word) for word in words]
    if required and replaced == words:
        raise ComposeError(f"{what} does not mention the container port {port}: cannot map it")
    return replaced


def _healthcheck(spec: dict, variables: Mapping[str, str]) -> list[str] | None:
    test = (spec.get("healthcheck") or {}).get("test")
    if not test:
        return None
    if isinstance(test, str):
        return ["sh", "-c", interpolate(test, variables)]
    kind, *rest = (interpolate(str(item), variables) for item in test)
    if kind == "CMD":
        return rest
    if kind == "CMD-SHELL":
        return ["sh", "-c", " ".join(rest)]
    raise ComposeError(f"unsupported healthcheck test {kind!r}")


def load(site_variables: Mapping[str, str], local: Local, compose_file: Path = COMPOSE_FILE) -> dict[str, Service]:
    """The services compose builds from this checkout (those with ``build:``), ready to run here.

    ``site_variables`` plays the part of the ``.env`` file: compose reads it for the interpolation
    and, through ``env_file: .env``, passes it to the containers.
    """
    document = yaml.safe_load(compose_file.read_text())
    services: dict[str, Service] = {}
    for name, spec in document["services"].items():
        if "build" not in spec:
            continue  # an image (PostgreSQL, Redis): the local server stands in for it
        if spec.get("env_file") not in (".env", [".env"]):
            raise ComposeError(f"{name}: expected env_file: .env")
        environment = {**image_environment(), **site_variables, **_service_environment(spec, site_variables)}
        environment = {key: _localise_path(_localise_url(value, local), local) for key, value in environment.items()}
        environment["HOSTNAME"] = socket.gethostname()
        command = spec.get("command")
        if isinstance(command, str):
            command = shlex.split(interpolate(command, site_variables))
        elif isinstance(command, list):
            command = [interpolate(str(word), site_variables) for word in command]
        else:
            raise ComposeError(f"{name}: give the command in docker-compose.yml (the image's CMD is not read)")
        port = _container_port(spec)
        command = [_localise_path(word, local) for word in command]
        command = _localise_port(command, port, local, required=True, what=f"{name}'s command")
        healthcheck = _healthcheck(spec, site_variables)
        if healthcheck is not None:
            healthcheck = [_localise_path(word, local) for word in healthcheck]
            healthcheck = _localise_port(healthcheck, port, local, required=True, what=f"{name}'s health check")
        check = spec.get("healthcheck") or {}
        depends_on = spec.get("depends_on") or {}
        if not isinstance(depends_on, dict) or any(
            (condition or {}).get("condition") != "service_healthy" for condition in depends_on.values()
        ):
            raise ComposeError(
                f"{name}: this runner starts a service once its dependencies are healthy; "
                "write each depends_on with condition: service_healthy"
            )
        services[name] = Service(
            name=name,
            command=command,
            environment=environment,
            healthcheck=healthcheck,
            healthcheck_timeout=_seconds(check.get("timeout"), 30),
            start_period=_seconds(check.get("start_period"), 0),
            depends_on=tuple(depends_on),
        )
    return services
