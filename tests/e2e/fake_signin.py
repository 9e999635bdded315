"""A loopback fake of AWS Sign-In (console login sessions, `aws login`), of
the tests' own, checking what the service checks and recording every
request (fakes.LoopbackServer):

- `GET /v1/authorize` (the browser's side, approved at once as
  `login_session`): the CLI's parameters (`response_type` code, a known
  `client_id`, `code_challenge_method` SHA-256, `scope` openid, a `state`,
  a challenge) and a `redirect_uri` the client may use (a loopback
  `/oauth/callback` for same-device, this host's
  `/v1/sessions/confirmation` for cross-device). Same-device redirects with
  `code` and `state`; cross-device shows the base64 code to paste;
- `POST /v1/token`, grant `authorization_code`: the code is unused and was
  issued to this `clientId` and `redirectUri`, and the SHA-256 of the
  `codeVerifier` is the challenge; the DPoP proof is valid under the `jwk`
  it carries, and the session's refresh token is bound to that key;

- the `DPoP` header is an ES256 JWT (`typ` dpop+jwt) whose `jwk` is the
  public key the session was issued for, signed by it, with `htm` POST,
  `htu` this endpoint's URL, an `iat` within a minute of now and a `jti`
  never seen before;
- the body's `clientId` and `refreshToken` are the session's, the grant
  `refresh_token`; a refresh token is used once (it rotates).

Refusals are `AccessDeniedException` with the OAuth `error` the service
uses (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`,
`INSUFFICIENT_PERMISSIONS`), or `ValidationException` for a bad proof.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from fakes import LoopbackServer, Reply, Request

CLIENT_ID = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE_ID = "arn:aws:signin:::devtools/cross-device"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def utc(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")), "crv": "P-256"}


class FakeSignin(LoopbackServer):
    def __init__(self):
        super().__init__()
        # refresh token -> (jwk of the session key, the credentials to hand out)
        self.sessions: dict[str, tuple[dict, dict]] = {}
        self.used_jti: set[str] = set()
        self.refuse: Optional[str] = None  # an AccessDenied `error` code
        self.proofs: list[dict] = []  # the checked proofs' header and payload
        self.login_session = "arn:aws:iam::123456789012:user/alice"
        self.login_creds = {"accessKeyId": "ASIALOGINKEY00000001", "secretAccessKey": "loginSecretKey",
                            "sessionToken": "loginSessionToken"}
        self.codes: dict[str, dict] = {}  # authorization code -> what it was issued for
        self.authorized: list[dict] = []  # the authorize requests' parameters
        self.bound_jwks: list[dict] = []  # the keys logins bound their sessions to
        self.refuse_code: Optional[str] = None  # an AccessDenied `error` for the code grant

    def session(self, key: ec.EllipticCurvePrivateKey, creds: dict) -> str:
        """A refresh token bound to `key`, handing out `creds`
        (accessKeyId, secretAccessKey, sessionToken)."""
        refresh = "signin-refresh-" + secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[refresh] = (public_jwk(key), creds)
        return refresh

    def token_url(self) -> str:
        return f"{self.url}/v1/token"

    def _error(self, status: int, exception: str, error: str, message: str) -> Reply:
        return Reply(status, json.dumps({"error": error, "message": message}).encode(),
                     "application/json", headers={"x-amzn-ErrorType": exception})

    def _check_proof(self, proof: str, jwk: Optional[dict]) -> Optional[str]:
        """None if the proof is good under `jwk` (None: under the key it
        carries, as for a new session)."""
        try:
            h64, p64, s64 = proof.split(".")
            header, payload = json.loads(unb64url(h64)), json.loads(unb64url(p64))
            signature = unb64url(s64)
        except ValueError:
            return "not a JWT"
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
            return "typ or alg"
        if jwk is None:
            jwk = header.get("jwk")
            if not isinstance(jwk, dict) or set(jwk) != {"kty", "x", "y", "crv"} \
                    or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
                return "jwk"
        if header.get("jwk") != jwk:
            return "jwk is not the session's key"
        try:
            x = int.from_bytes(unb64url(jwk["x"]), "big")
            y = int.from_bytes(unb64url(jwk["y"]), "big")
            public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except (ValueError, KeyError):
            return "jwk is no P-256 point"
        if len(signature) != 64:
            return "signature length"
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{h64}.{p64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "signature"
        if payload.get("htm") != "POST" or payload.get("htu") != self.token_url():
            return "htm or htu"
        if not isinstance(payload.get("iat"), int) or abs(payload["iat"] - time.time()) > 60:
            return "iat"
        jti = payload.get("jti")
        with self.lock:
            if not jti or jti in self.used_jti:
                return "jti reused"
            self.used_jti.add(jti)
            self.proofs.append({"header": header, "payload": payload})
        return None

    def confirmation_url(self) -> str:
        return f"{self.url}/v1/sessions/confirmation"

    def _authorize(self, query: str) -> Reply:
        import urllib.parse
        pairs = urllib.parse.parse_qs(query, keep_blank_values=True)
        one = {k: v[0] for k, v in pairs.items()}
        with self.lock:
            self.authorized.append(one)
        client, redirect = one.get("client_id"), one.get("redirect_uri", "")
        if client == CLIENT_ID:
            parts = urllib.parse.urlsplit(redirect)
            ok = parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port \
                and parts.path == "/oauth/callback" and not parts.query
        elif client == CROSS_DEVICE_ID:
            ok = redirect == self.confirmation_url()
        else:
            return Reply(400, b"unknown client_id", "text/plain")
        if not ok:
            return Reply(400, b"redirect_uri not allowed for this client", "text/plain")
        if one.get("response_type") != "code" or one.get("code_challenge_method") != "SHA-256" \
                or one.get("scope") != "openid" or not one.get("state") or len(one.get("code_challenge", "")) != 43:
            return Reply(400, b"bad authorize request", "text/plain")
        code = "signin-code-" + secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"client": client, "redirect": redirect, "challenge": one["code_challenge"]}
        answer = urllib.parse.urlencode({"code": code, "state": one["state"]})
        if client == CROSS_DEVICE_ID:
            pasted = base64.b64encode(f"state={urllib.parse.quote(one['state'])}&code={code}".encode())
            return Reply(200, pasted, "text/plain")
        return Reply(302, b"", "text/plain", headers={"Location": f"{redirect}?{answer}"})

    def _code_grant(self, req: Request, body: dict) -> Reply:
        with self.lock:
            grant = self.codes.pop(body.get("code"), None)
        if grant is None or grant["client"] != body.get("clientId") \
                or grant["redirect"] != body.get("redirectUri"):
            return self._error(400, "ValidationException", "invalid_grant", "Invalid authorization code")
        verifier = body.get("codeVerifier") or ""
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self._error(400, "ValidationException", "invalid_grant", "PKCE verification failed")
        proof = req.headers.get("dpop", "")
        problem = self._check_proof(proof, None)
        if problem:
            return self._error(400, "ValidationException", "INVALID_REQUEST", f"Invalid DPoP proof: {problem}")
        if self.refuse_code:
            return self._error(403, "AccessDeniedException", self.refuse_code, "Access denied")
        jwk = json.loads(unb64url(proof.split(".")[0]))["jwk"]
        refresh = "signin-refresh-" + secrets.token_urlsafe(24)
        with self.lock:
            self.bound_jwks.append(jwk)
            self.sessions[refresh] = (jwk, dict(self.login_creds))
        id_token = ".".join([b64url(b'{"alg":"ES256","typ":"JWT"}'),
                             b64url(json.dumps({"sub": self.login_session, "iat": int(time.time())}).encode()),
                             b64url(b"not-checked-by-clients")])
        out = {"accessToken": self.login_creds, "tokenType": "aws_sigv4", "expiresIn": 900,
               "refreshToken": refresh, "idToken": id_token}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def respond(self, req: Request):
        path, _, query = req.path.partition("?")
        if req.method == "GET" and path == "/v1/authorize":
            return self._authorize(query)
        if req.method != "POST" or req.path != "/v1/token":
            return Reply(404, b"{}", "application/json")
        try:
            body = json.loads(req.body)
        except ValueError:
            return self._error(400, "ValidationException", "INVALID_REQUEST", "not JSON")
        if body.get("grantType") == "authorization_code":
            return self._code_grant(req, body)
        with self.lock:
            session = self.sessions.get(body.get("refreshToken"))
        if body.get("clientId") != CLIENT_ID or body.get("grantType") != "refresh_token" or session is None:
            return self._error(400, "ValidationException", "invalid_grant", "Invalid refresh token")
        jwk, creds = session
        problem = self._check_proof(req.headers.get("dpop", ""), jwk)
        if problem:
            return self._error(400, "ValidationException", "INVALID_REQUEST", f"Invalid DPoP proof: {problem}")
        if self.refuse:
            return self._error(403, "AccessDeniedException", self.refuse, "Access denied")
        with self.lock:
            del self.sessions[body["refreshToken"]]
        new_refresh = "signin-refresh-" + secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[new_refresh] = session
        # The body is the operation's payload member, tokenOutput, unwrapped.
        out = {"accessToken": creds, "tokenType": "aws_sigv4", "expiresIn": 900,
               "refreshToken": new_refresh}
        return Reply(200, json.dumps(out).encode(), "application/json")

    def calls(self) -> list[Request]:
        return self.seen("POST", "/v1/token")


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    """SEC1 (`EC PRIVATE KEY`) PEM, as `aws login` stores the dpopKey."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def session_file(cache_dir: Path, session: str, token: dict) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{hashlib.sha256(session.encode()).hexdigest()}.json"
    path.write_text(json.dumps(token))
    return path
