"""A loopback fake of IAM Identity Center, of the tests' own: the portal's
GetRoleCredentials and SSO OIDC's CreateToken (refresh_token grant) on one
127.0.0.1 port, checking what the services check and recording every
request (fakes.LoopbackServer).

- Portal, `GET /federation/credentials?role_name=..&account_id=..`: the
  `x-amz-sso_bearer_token` must be a live access token, issued for the
  account and role asked; otherwise 401 `UnauthorizedException`, as the
  portal answers an expired or revoked token.
- OIDC, `POST /token`: the client id and secret must be a registered
  client's, the grant `refresh_token`, the refresh token live and the
  client's; it rotates both tokens. Otherwise 400 with the OAuth error
  (`invalid_client`, `invalid_grant`, ...) as SSO OIDC answers.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fakes import LoopbackServer, Reply, Request


def utc(t: _dt.datetime) -> str:
    """As the AWS CLI writes times in the token cache."""
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def redirect_allowed(registered: str, asked: str) -> bool:
    """The registered URI exactly, or (RFC 8252 7.3) a loopback URI
    registered without a port, asked with any port."""
    if asked == registered:
        return True
    r, a = urllib.parse.urlsplit(registered), urllib.parse.urlsplit(asked)
    return r.hostname == "127.0.0.1" and r.port is None and a.hostname == "127.0.0.1" \
        and a.port is not None and (r.scheme, r.path, r.query) == (a.scheme, a.path, a.query)


def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


@dataclass
class RoleCreds:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_in_seconds: int = 3600


class FakeSso(LoopbackServer):
    """See the module docs. `tokens` maps an access token to the
    (account, role) pairs it may fetch; `roles` what each pair answers."""

    def __init__(self):
        super().__init__()
        self.tokens: dict[str, set] = {}
        self.roles: dict[tuple, RoleCreds] = {}
        # client id -> secret; refresh token -> client id
        self.clients: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.refresh_grants = {}  # refresh token -> set of (account, role)
        self.token_lifetime = 8 * 3600
        self.refuse_refresh: Optional[str] = None  # an OAuth error code
        # The device flow: how the next authorization behaves, and what was registered.
        self.pending_polls = 1
        self.slow_downs = 0
        self.expire_device = False
        self.device_grants: set = set()  # (account, role) a device login may fetch
        self.registrations: list[dict] = []
        self.devices: dict[str, dict] = {}
        self.slow_down_violations = 0
        self.redirects: dict[str, list] = {}  # client id -> registered redirect URIs
        self.auth_codes: dict[str, dict] = {}

    # -- setup

    def add_role(self, account: str, role: str, creds: RoleCreds) -> None:
        self.roles[(account, role)] = creds

    def issue_token(self, *grants: tuple) -> str:
        token = "sso-access-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = set(grants)
        return token

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)

    def register_client(self) -> tuple[str, str]:
        client_id = "client-" + secrets.token_urlsafe(8)
        secret = "client-secret-" + secrets.token_urlsafe(24)
        with self.lock:
            self.clients[client_id] = secret
        return client_id, secret

    def issue_refresh_token(self, client_id: str, *grants: tuple) -> str:
        refresh = "sso-refresh-" + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[refresh] = client_id
            self.refresh_grants[refresh] = set(grants)
        return refresh

    # -- the services

    def respond(self, req: Request):
        path, _, query = req.path.partition("?")
        if req.method == "GET" and path == "/federation/credentials":
            return self._role_credentials(req, urllib.parse.parse_qs(query))
        if req.method == "GET" and path == "/authorize":
            return self._authorize(urllib.parse.parse_qs(query))
        if req.method == "POST" and path == "/logout":
            return self._logout(req)
        if req.method == "POST" and path == "/client/register":
            return self._register(req)
        if req.method == "POST" and path == "/device_authorization":
            return self._device_authorization(req)
        if req.method == "POST" and path == "/token":
            body = json.loads(req.body or b"{}")
            if body.get("grantType") == "urn:ietf:params:oauth:grant-type:device_code":
                return self._device_token(body)
            if body.get("grantType") == "authorization_code":
                return self._auth_code_token(body)
            return self._create_token(req)
        return Reply(404, b'{"message":"not found"}', "application/json")

    def _logout(self, req: Request) -> Reply:
        """The portal's Logout: the bearer token must be a live one; it is
        revoked (later calls with it are 401)."""
        token = req.headers.get("x-amz-sso_bearer_token", "")
        with self.lock:
            known = self.tokens.pop(token, None) is not None
        if not known:
            return Reply(401, b'{"message":"Session token not found or invalid"}', "application/json",
                         headers={"x-amzn-ErrorType": "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"})
        return Reply(200, b"", "application/json")

    def _role_credentials(self, req: Request, query: dict) -> Reply:
        account = (query.get("account_id") or [""])[0]
        role = (query.get("role_name") or [""])[0]
        token = req.headers.get("x-amz-sso_bearer_token", "")
        with self.lock:
            grants = self.tokens.get(token)
        if grants is None:
            return Reply(401, b'{"message":"Session token not found or invalid"}', "application/json",
                         headers={"x-amzn-ErrorType": "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"})
        if (account, role) not in grants or (account, role) not in self.roles:
            return Reply(403, b'{"message":"No access"}', "application/json",
                         headers={"x-amzn-ErrorType": "ForbiddenException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"})
        creds = self.roles[(account, role)]
        expiration = int((now().timestamp() + creds.expires_in_seconds) * 1000)
        body = {"roleCredentials": {
            "accessKeyId": creds.access_key_id,
            "secretAccessKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
            "expiration": expiration,
        }}
        return Reply(200, json.dumps(body).encode(), "application/json")

    def _oauth_error(self, code: str, description: str, exception: str) -> Reply:
        body = json.dumps({"error": code, "error_description": description}).encode()
        return Reply(400, body, "application/json", headers={"x-amzn-ErrorType": exception})

    def _create_token(self, req: Request) -> Reply:
        try:
            body = json.loads(req.body)
        except ValueError:
            return self._oauth_error("invalid_request", "not JSON", "InvalidRequestException")
        client_id = body.get("clientId")
        with self.lock:
            known_secret = self.clients.get(client_id)
        if known_secret is None or body.get("clientSecret") != known_secret:
            return self._oauth_error("invalid_client", "Invalid client", "InvalidClientException")
        if body.get("grantType") != "refresh_token":
            return self._oauth_error("unsupported_grant_type", "grant", "UnsupportedGrantTypeException")
        if self.refuse_refresh:
            return self._oauth_error(self.refuse_refresh, "Refused", "InvalidGrantException")
        refresh = body.get("refreshToken")
        with self.lock:
            owner = self.refresh_tokens.pop(refresh, None)
            grants = self.refresh_grants.pop(refresh, set())
        if owner != client_id:
            return self._oauth_error("invalid_grant", "Invalid refresh token provided", "InvalidGrantException")
        access = self.issue_token(*grants)
        new_refresh = self.issue_refresh_token(client_id, *grants)
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.token_lifetime,
               "refreshToken": new_refresh}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def _register(self, req: Request) -> Reply:
        body = json.loads(req.body)
        client_id, secret = self.register_client()
        with self.lock:
            self.registrations.append(body)
            self.redirects[client_id] = body.get("redirectUris") or []
        out = {"clientId": client_id, "clientSecret": secret,
               "clientIdIssuedAt": int(now().timestamp()),
               "clientSecretExpiresAt": int(now().timestamp()) + 90 * 86400}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def _authorize(self, q: dict) -> Reply:
        """The browser's side, approved at once: a code bound to the client,
        the redirect URI and the PKCE challenge, sent back by redirect."""
        one = {k: v[0] for k, v in q.items()}
        with self.lock:
            redirects = self.redirects.get(one.get("client_id"))
        if redirects is None or not any(redirect_allowed(r, one.get("redirect_uri", "")) for r in redirects):
            return Reply(400, b"unknown client or redirect_uri", "text/plain")
        if one.get("response_type") != "code" or one.get("code_challenge_method") != "S256" \
                or not one.get("code_challenge") or not one.get("state"):
            return Reply(400, b"bad authorize request", "text/plain")
        code = "code-" + secrets.token_urlsafe(16)
        with self.lock:
            self.auth_codes[code] = {"client": one["client_id"], "redirect": one["redirect_uri"],
                                     "challenge": one["code_challenge"], "scopes": one.get("scopes", "")}
        location = f"{one['redirect_uri']}?" + urllib.parse.urlencode({"code": code, "state": one["state"]})
        return Reply(302, b"", "text/plain", headers={"Location": location})

    def _auth_code_token(self, body: dict) -> Reply:
        import base64
        with self.lock:
            grant = self.auth_codes.pop(body.get("code"), None)
            secret = self.clients.get(body.get("clientId"))
        if secret is None or secret != body.get("clientSecret"):
            return self._oauth_error("invalid_client", "Invalid client", "InvalidClientException")
        if grant is None or grant["client"] != body.get("clientId") or grant["redirect"] != body.get("redirectUri"):
            return self._oauth_error("invalid_grant", "Invalid code", "InvalidGrantException")
        verifier = body.get("codeVerifier") or ""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return self._oauth_error("invalid_grant", "PKCE verification failed", "InvalidGrantException")
        access = self.issue_token(*self.device_grants)
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.token_lifetime,
               "refreshToken": self.issue_refresh_token(body["clientId"], *self.device_grants)}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def _device_authorization(self, req: Request) -> Reply:
        body = json.loads(req.body)
        with self.lock:
            known = self.clients.get(body.get("clientId"))
        if known is None or known != body.get("clientSecret"):
            return self._oauth_error("invalid_client", "Invalid client", "InvalidClientException")
        code = "device-" + secrets.token_urlsafe(16)
        user_code = "ABCD-EFGH"
        with self.lock:
            self.devices[code] = {"client": body["clientId"], "scopes": bool(self.registrations and self.registrations[-1].get("scopes")),
                                  "pending": self.pending_polls, "slow": self.slow_downs,
                                  "expire": self.expire_device, "last_slow": None}
        out = {"deviceCode": code, "userCode": user_code,
               "verificationUri": f"{self.url}/device",
               "verificationUriComplete": f"{self.url}/device?user_code={user_code}",
               "expiresIn": 600, "interval": 1}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def _device_token(self, body: dict) -> Reply:
        import time as _time
        with self.lock:
            device = self.devices.get(body.get("deviceCode"))
            secret = self.clients.get(body.get("clientId"))
        if device is None or device["client"] != body.get("clientId") or secret != body.get("clientSecret"):
            return self._oauth_error("invalid_grant", "Invalid device code", "InvalidGrantException")
        if device["expire"]:
            return self._oauth_error("expired_token", "Device code expired", "ExpiredTokenException")
        t = _time.monotonic()
        # RFC 8628: after slow_down the client waits 5 more seconds; a
        # quicker poll is answered with slow_down again.
        if device["last_slow"] is not None and t - device["last_slow"] < 5.5:
            self.slow_down_violations += 1
            device["last_slow"] = t
            if self.slow_down_violations >= 3:
                # The service gives up on a client that does not listen.
                return self._oauth_error("expired_token", "Device code expired", "ExpiredTokenException")
            return self._oauth_error("slow_down", "Slow down", "SlowDownException")
        if device["slow"] > 0:
            device["slow"] -= 1
            device["last_slow"] = t
            return self._oauth_error("slow_down", "Slow down", "SlowDownException")
        device["last_slow"] = None
        if device["pending"] > 0:
            device["pending"] -= 1
            return self._oauth_error("authorization_pending", "Pending", "AuthorizationPendingException")
        with self.lock:
            del self.devices[body["deviceCode"]]
        access = self.issue_token(*self.device_grants)
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.token_lifetime}
        if device["scopes"]:
            out["refreshToken"] = self.issue_refresh_token(body["clientId"], *self.device_grants)
        return Reply(200, json.dumps(out).encode(), "application/json")

    # -- what was asked

    def portal_calls(self) -> list[Request]:
        return [r for r in self.seen("GET") if r.path.startswith("/federation/credentials")]

    def token_calls(self) -> list[Request]:
        return self.seen("POST", "/token")


def token_key(name: str) -> str:
    """The token file name: sha1 of the session name (or legacy start URL)."""
    return hashlib.sha1(name.encode()).hexdigest()


def sso_cache_key(account: str, role: str, session: Optional[str] = None,
                  start_url: Optional[str] = None) -> str:
    """botocore's SSOCredentialFetcher key."""
    args = {"roleName": role, "accountId": account}
    if session:
        args["sessionName"] = session
    else:
        args["startUrl"] = start_url
    return hashlib.sha1(json.dumps(args, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_token(home: Path, name: str, token: dict) -> Path:
    """A token file as `aws sso login` leaves it in ~/.aws/sso/cache."""
    d = home / ".aws" / "sso" / "cache"
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{token_key(name)}.json"
    path.write_text(json.dumps(token))
    return path
