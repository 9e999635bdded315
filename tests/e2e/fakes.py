"""Small loopback servers of the end-to-end tests' own, and the helpers the
`test_local_*.py` files share.

Every server binds 127.0.0.1 on a port the kernel picks, answers from a
thread, records each request (and each accepted connection), and can be
told to misbehave: stall without answering, cut a body short, answer HTML,
and so on. Nothing here ever talks to another address.

- `FakeSts`: STS's Query protocol (`POST /`, form body), answering
  AssumeRole with fixed-shape XML, or one of the faults of `StsMode`.
- `FakeImds`: the EC2 instance metadata service, IMDSv2 token flow (the
  token and TTL headers are checked) with the v1 fallbacks.
- `FakeContainer`: the container credentials endpoint, checking the
  `Authorization` header against what the test expects.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import socket
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

from conftest import Sandbox, rolectl_path

# --------------------------------------------------------------------------
# Servers


@dataclass
class Request:
    method: str
    path: str
    headers: dict  # lower-case names
    body: bytes

    def form(self) -> dict:
        parsed = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml"
    headers: dict = field(default_factory=dict)
    # Announce this many body bytes but send `body` (fewer) and hang up.
    declared_length: Optional[int] = None


class Stall:
    """Read the request, then never answer (until the server stops)."""


STALL = Stall()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, owner: "LoopbackServer"):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request, client_address):  # one call per connection
        with self.owner.lock:
            self.owner.connections += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output quiet
        pass

    def _handle(self):
        owner: LoopbackServer = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with owner.lock:
            owner.requests.append(req)
        try:
            reply = owner.respond(req)
        except Exception as e:  # a bug in a fake shows up as a 599
            reply = Reply(599, f"fake server error: {e!r}".encode(), "text/plain")
        if isinstance(reply, Stall):
            owner.stopping.wait(60)
            self.close_connection = True
            return
        declared = len(reply.body) if reply.declared_length is None else reply.declared_length
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(declared))
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class LoopbackServer:
    """An HTTP server on 127.0.0.1:<free port> in a thread. Subclasses
    implement `respond(request) -> Reply | STALL`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.connections = 0
        self.stopping = threading.Event()
        self._server = _Server(self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def respond(self, req: Request):  # pragma: no cover - overridden
        return Reply(404, b"not found", "text/plain")

    def stop(self):
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def seen(self, method: Optional[str] = None, path: Optional[str] = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and (path is None or r.path == path)
            ]


class SilentListener:
    """A TCP listener on 127.0.0.1 that counts connections and never says a
    word: for 'a server that never answers' and 'no connection attempted'."""

    def __init__(self):
        self.connections = 0
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            self._socks.append(conn)  # held open, never answered

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        for s in self._socks:
            s.close()
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# STS


ACCOUNT = "123456789012"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def in_hours(h: float) -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(hours=h)


def assume_role_xml(
    access_key: str,
    secret: Optional[str],
    token: str,
    expiration: str,
    role_arn: str,
    session: str,
) -> str:
    role_name = role_arn.rsplit("/", 1)[-1]
    secret_el = f"<SecretAccessKey>{secret}</SecretAccessKey>" if secret is not None else ""
    return (
        f'<AssumeRoleResponse xmlns="{STS_NS}">\n'
        "  <AssumeRoleResult>\n"
        "    <AssumedRoleUser>\n"
        f"      <Arn>arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}</Arn>\n"
        f"      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:{session}</AssumedRoleId>\n"
        "    </AssumedRoleUser>\n"
        "    <Credentials>\n"
        f"      <AccessKeyId>{access_key}</AccessKeyId>\n"
        f"      {secret_el}\n"
        f"      <SessionToken>{token}</SessionToken>\n"
        f"      <Expiration>{expiration}</Expiration>\n"
        "    </Credentials>\n"
        "  </AssumeRoleResult>\n"
        "  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>\n"
        "</AssumeRoleResponse>\n"
    )


THROTTLING_XML = (
    f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>Sender</Type><Code>Throttling</Code>'
    "<Message>Rate exceeded</Message></Error><RequestId>1f2d</RequestId></ErrorResponse>"
)

HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Sign in to the hotel Wi-Fi</title></head>\n"
    "<body><h1>Welcome</h1><form>...</form></body></html>\n"
)


class StsMode:
    OK = "ok"
    HTML = "html"
    EMPTY = "empty"
    CUT_OFF = "cut-off"
    HUGE = "huge"
    DTD = "dtd"
    ENTITIES = "entities"
    NO_SECRET = "no-secret"
    EXPIRED = "expired"
    THROTTLE = "throttle"
    STALL = "stall"


class FakeSts(LoopbackServer):
    """STS on loopback. Each AssumeRole answer (mode OK) carries fresh,
    numbered credentials: `ASIAFAKESTS0000000N`, secret `fakeStsSecret/N...`,
    token `fakeStsToken/N...`, valid for an hour. Every secret it ever
    sends, in any mode, is in `self.secrets` (for leak checks)."""

    def __init__(self, mode: str = StsMode.OK):
        self.mode = mode
        self.issued: list[dict] = []
        self.secrets: list[str] = []
        super().__init__()

    def calls(self, action: str = "AssumeRole") -> list[Request]:
        return [r for r in self.seen("POST") if r.form().get("Action") == action]

    def _creds(self):
        n = len(self.issued) + 1
        c = {
            "AccessKeyId": f"ASIAFAKESTS{n:09d}",
            "SecretAccessKey": f"fakeStsSecret/{n}/wJalrXUtnFEMIK7MDENGbPxRfiCY",
            "SessionToken": f"fakeStsToken/{n}/FwoGZXIvYXdzEJr//////////wEaDM",
            "Expiration": iso(in_hours(1)),
        }
        self.issued.append(c)
        self.secrets += [c["SecretAccessKey"], c["SessionToken"]]
        return c

    def respond(self, req: Request):
        if req.method != "POST" or req.path != "/":
            return Reply(404, b"not STS", "text/plain")
        form = req.form()
        action = form.get("Action")
        role_arn = form.get("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/unknown")
        session = form.get("RoleSessionName", "session")
        mode = self.mode
        if mode == StsMode.STALL:
            return STALL
        if mode == StsMode.THROTTLE:
            return Reply(400, THROTTLING_XML.encode())
        if mode == StsMode.HTML:
            return Reply(200, HTML_PAGE.encode(), "text/html; charset=utf-8")
        if mode == StsMode.EMPTY:
            return Reply(200, b"")
        if action == "GetCallerIdentity" and mode == StsMode.OK:
            body = (
                f'<GetCallerIdentityResponse xmlns="{STS_NS}"><GetCallerIdentityResult>'
                f"<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/r/s</Arn><UserId>AROA:s</UserId>"
                f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
            )
            return Reply(200, body.encode())
        if action != "AssumeRole":
            return Reply(400, b"<ErrorResponse><Error><Code>InvalidAction</Code><Message>x</Message></Error></ErrorResponse>")
        c = self._creds()
        if mode == StsMode.EXPIRED:
            c["Expiration"] = iso(in_hours(-1))
        xml = assume_role_xml(
            c["AccessKeyId"],
            None if mode == StsMode.NO_SECRET else c["SecretAccessKey"],
            c["SessionToken"],
            c["Expiration"],
            role_arn,
            session,
        )
        if mode == StsMode.NO_SECRET:
            # Compact, the token first: an error that quotes the start of
            # the body quotes the whole token unless it redacts it.
            doc = (
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
                f"<SessionToken>{c['SessionToken']}</SessionToken>"
                f"<AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
                f"<Expiration>{c['Expiration']}</Expiration></Credentials>"
                "</AssumeRoleResult></AssumeRoleResponse>"
            )
            return Reply(200, doc.encode())
        if mode == StsMode.OK or mode == StsMode.EXPIRED:
            return Reply(200, xml.encode())
        if mode == StsMode.CUT_OFF:
            # Cut in the middle of the session token, after the secret.
            cut = xml.index("<SessionToken>") + len("<SessionToken>") + 10
            return Reply(200, xml[:cut].encode(), declared_length=len(xml))
        if mode == StsMode.HUGE:
            # A well-formed start, then 5 MB of padding inside the document.
            pad = b"<!-- " + b"x" * (5 * 1024 * 1024) + b" -->"
            head, tail = xml.split("<AssumeRoleResult>", 1)
            return Reply(200, head.encode() + pad + b"<AssumeRoleResult>" + tail.encode())
        if mode == StsMode.DTD:
            doc = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE AssumeRoleResponse [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n'
                + xml.replace(c["AccessKeyId"], "&leak;")
            )
            return Reply(200, doc.encode())
        if mode == StsMode.ENTITIES:
            lol = '<!ENTITY lol "lol">' + "".join(
                f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                for i in range(1, 10)
            )
            doc = (
                f"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [{lol}]>\n"
                + xml.replace(c["AccessKeyId"], "&lol9;")
            )
            return Reply(200, doc.encode())
        raise ValueError(f"unknown STS mode {mode}")


# --------------------------------------------------------------------------
# IMDS and container credentials


IMDS_ROLE = "ec2-instance-role"
IMDS_KEY = "ASIAIMDSEXAMPLE00001"
IMDS_SECRET = "imdsSecret/Kx9qzYwJalrXUtnFEMIK7MDENG"
IMDS_TOKEN = "imdsSessionToken/IQoJb3JpZ2luX2VjEJr//////////"
IMDS_V2_TOKEN = "AQAEAFakeImdsV2SessionToken=="

CONTAINER_KEY = "ASIACONTAINER0000001"
CONTAINER_SECRET = "containerSecret/Zq8pWm3kLx7vN2cR5tY"
CONTAINER_TOKEN = "containerSessionToken/IQoJb3JpZ2lu//////"


class FakeImds(LoopbackServer):
    """IMDS on loopback.

    token_mode: "v2" (PUT answers a token; GETs must carry it), or
    "403"/"404"/"405" (PUT answers that status; GETs must come without a
    token), or "stall" (PUT never answered; GETs without a token), or
    "silent" (nothing is ever answered).
    Every answer is refused with 400 when the PUT lacks
    `x-aws-ec2-metadata-token-ttl-seconds: 21600`, with 401 when a GET
    carries a wrong token or (v2) none."""

    TOKEN_PATH = "/latest/api/token"
    ROLES_PATH = "/latest/meta-data/iam/security-credentials/"

    def __init__(self, token_mode: str = "v2"):
        self.token_mode = token_mode
        self.problems: list[str] = []
        super().__init__()

    def _problem(self, text: str, status: int):
        self.problems.append(text)
        return Reply(status, text.encode(), "text/plain")

    def respond(self, req: Request):
        mode = self.token_mode
        if mode == "silent":
            return STALL
        if req.path == self.TOKEN_PATH:
            if req.method != "PUT":
                return self._problem(f"{req.method} on the token path", 405)
            ttl = req.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
            if ttl != "21600":
                return self._problem(f"token TTL header {ttl!r}", 400)
            if mode == "v2":
                return Reply(200, IMDS_V2_TOKEN.encode(), "text/plain",
                             {"x-aws-ec2-metadata-token-ttl-seconds": "21600"})
            if mode == "stall":
                return STALL
            return Reply(int(mode), b"", "text/plain")
        if req.method != "GET":
            return self._problem(f"{req.method} {req.path}", 405)
        token = req.headers.get("x-aws-ec2-metadata-token")
        if mode == "v2" and token != IMDS_V2_TOKEN:
            return self._problem(f"GET {req.path} with token {token!r}", 401)
        if mode != "v2" and token is not None:
            return self._problem(f"GET {req.path} with token {token!r} though none was issued", 401)
        if req.path == self.ROLES_PATH:
            return Reply(200, (IMDS_ROLE + "\n").encode(), "text/plain")
        if req.path == self.ROLES_PATH + IMDS_ROLE:
            doc = {
                "Code": "Success",
                "LastUpdated": iso(in_hours(0)),
                "Type": "AWS-HMAC",
                "AccessKeyId": IMDS_KEY,
                "SecretAccessKey": IMDS_SECRET,
                "Token": IMDS_TOKEN,
                "Expiration": iso(in_hours(6)),
            }
            return Reply(200, json.dumps(doc, indent=2).encode(), "text/plain")
        return Reply(404, b"Not Found", "text/plain")


class FakeContainer(LoopbackServer):
    """The container credentials endpoint at `<url>/creds`; answers 401
    unless `Authorization` equals `self.expected_auth` (when set)."""

    PATH = "/creds"

    def __init__(self, expected_auth: Optional[str]):
        self.expected_auth = expected_auth
        self.auth_seen: list[Optional[str]] = []
        super().__init__()

    def respond(self, req: Request):
        auth = req.headers.get("authorization")
        self.auth_seen.append(auth)
        if req.method != "GET" or req.path != self.PATH:
            return Reply(404, b"{}", "application/json")
        if self.expected_auth is not None and auth != self.expected_auth:
            return Reply(401, b'{"message": "bad token"}', "application/json")
        doc = {
            "AccessKeyId": CONTAINER_KEY,
            "SecretAccessKey": CONTAINER_SECRET,
            "Token": CONTAINER_TOKEN,
            "Expiration": iso(in_hours(6)),
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/task-role",
        }
        return Reply(200, json.dumps(doc).encode(), "application/json")


def signed_with(req: Request) -> Optional[str]:
    """The access key id of a SigV4 `Authorization` header."""
    auth = req.headers.get("authorization", "")
    marker = "Credential="
    if marker not in auth:
        return None
    return auth.split(marker, 1)[1].split("/", 1)[0]


# --------------------------------------------------------------------------
# Files, environment and runs


SOURCE_KEY = "AKIAIOSFODNN7EXAMPLE"
SOURCE_SECRET = "srcSecret/wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/e2e-role"
SESSION = "e2e-session"


def cache_key(role_arn: str, session: Optional[str] = None, **extra) -> str:
    """The AWS CLI's cache key: sha1 of json.dumps(args, sort_keys=True)."""
    args = {"RoleArn": role_arn}
    if session is not None:
        args["RoleSessionName"] = session
    args.update(extra)
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()


@dataclass
class Timed:
    """A run of rolectl and how long it took."""

    status: int
    stdout: str
    stderr: str
    elapsed: float
    args: list

    def __str__(self):
        return (
            f"rolectl {' '.join(map(str, self.args))} -> {self.status} in {self.elapsed:.2f}s\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


def run(sandbox: Sandbox, *args, env: Optional[dict] = None, timeout: float = 90) -> Timed:
    """`sandbox.run(args)` (conftest's clean environment), timed."""
    start = time.monotonic()
    r = sandbox.run([str(a) for a in args], env=env, timeout=timeout)
    return Timed(r.status, r.stdout, r.stderr, time.monotonic() - start, list(args))


def run_as(sandbox: Sandbox, uid: int, *args, env: Optional[dict] = None, timeout: float = 60) -> Timed:
    """Like `run`, with rolectl started under `setpriv` as user and group `uid`.
    The binary runs from a copy in the sandbox (which the caller made
    world-readable): the checkout may sit below a directory only root can
    enter."""
    binary = sandbox.home / "rolectl"
    if not binary.exists():
        shutil.copy2(rolectl_path(), binary)
        binary.chmod(0o755)
    argv = [
        "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
        str(binary), *map(str, args),
    ]
    start = time.monotonic()
    p = subprocess.run(argv, env=sandbox.env(env), cwd="/", stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return Timed(p.returncode, p.stdout.decode("utf-8", "replace"),
                 p.stderr.decode("utf-8", "replace"), time.monotonic() - start, list(args))


def cache_leftovers(sandbox: Sandbox) -> list[str]:
    """What a failed run left in the cache directory, other than empty lock
    files (the lock of a key is taken before the lookup, so a run that
    fails later may leave one; it holds nothing)."""
    d = sandbox.cache_dir
    if not d.exists():
        return []
    out = []
    for p in sorted(d.iterdir()):
        if p.name.endswith(".lock") and not p.is_symlink() and p.is_file() and p.stat().st_size == 0:
            continue
        out.append(p.name)
    return out


def role_profile_config(name: str = "role", source: str = "source_profile = src", extra: str = "") -> str:
    return (
        f"[profile {name}]\n"
        f"role_arn = {ROLE_ARN}\n"
        f"role_session_name = {SESSION}\n"
        f"{source}\n"
        f"{extra}"
        "\n[profile src]\n"
        f"aws_access_key_id = {SOURCE_KEY}\n"
        f"aws_secret_access_key = {SOURCE_SECRET}\n"
    )


def assert_no_secrets(run: Timed, secrets):
    for s in secrets:
        assert s not in run.stdout, f"secret {s!r} on stdout\n{run}"
        assert s not in run.stderr, f"secret {s!r} on stderr\n{run}"


def assert_clean_failure(
    run: Timed,
    sandbox: Sandbox,
    *,
    status: int = 1,
    mentions=(),
    secrets=(),
):
    """The rules every bad input obeys: the exit status, one error on
    stderr that says what it must, nothing on stdout, no panic, no secret,
    no cache entry written."""
    assert run.status == status, str(run)
    assert run.stdout == "", f"stdout must be empty\n{run}"
    assert run.stderr.strip(), f"stderr must explain\n{run}"
    assert "panicked" not in run.stderr and "RUST_BACKTRACE" not in run.stderr, str(run)
    for m in mentions:
        assert m in run.stderr, f"stderr must mention {m!r}\n{run}"
    assert_no_secrets(run, [SOURCE_SECRET, *secrets])
    assert cache_leftovers(sandbox) == [], f"cache written: {cache_leftovers(sandbox)}\n{run}"


# --------------------------------------------------------------------------
# Fixtures (import them into a test module to use them)

import pytest  # noqa: E402


@pytest.fixture
def sts():
    """A fake STS answering AssumeRole; set `.mode` to make it misbehave."""
    server = FakeSts()
    yield server
    server.stop()


@pytest.fixture
def box(sandbox: Sandbox, sts: FakeSts, rolectl_bin) -> Sandbox:
    """conftest's sandbox (fresh HOME, clean environment) with
    AWS_ENDPOINT_URL_STS at the fake STS: no run can reach a real one."""
    sandbox.sts_url = sts.url
    return sandbox
