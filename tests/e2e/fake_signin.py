"""A loopback fake of AWS Sign-In's CreateOAuth2Token (the refresh of a
console login session, `aws login`), of the tests' own, checking what the
service checks and recording every request (fakes.LoopbackServer):

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

    def _check_proof(self, proof: str, jwk: dict) -> Optional[str]:
        try:
            h64, p64, s64 = proof.split(".")
            header, payload = json.loads(unb64url(h64)), json.loads(unb64url(p64))
            signature = unb64url(s64)
        except ValueError:
            return "not a JWT"
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
            return "typ or alg"
        if header.get("jwk") != jwk:
            return "jwk is not the session's key"
        x = int.from_bytes(unb64url(jwk["x"]), "big")
        y = int.from_bytes(unb64url(jwk["y"]), "big")
        public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
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

    def respond(self, req: Request):
        if req.method != "POST" or req.path != "/v1/token":
            return Reply(404, b"{}", "application/json")
        try:
            body = json.loads(req.body)
        except ValueError:
            return self._error(400, "ValidationException", "INVALID_REQUEST", "not JSON")
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
