"""Runs the AWS CLI's own credential chain on each scenario read from stdin
and prints, as JSON, what it did: the STS calls (operation, parameters,
signing key and region), the cache files it wrote, and the final access key
or the error. STS is a fake on 127.0.0.1 started here: the n-th call gets
the access key `ASIA<n>` and the token `token-of-ASIA<n>`. Nothing leaves the machine.

Scenario: {"name", "config", "credentials", "env": {...}, "profile": null
or a name, "files": {path: text}, optionally "cache": {key: text}}. File
paths in "files" are written under a temporary directory and the same prefix
is replaced in the config text; "cache" entries are written as the cache
files `<key>.json` before the chain runs (entries another tool wrote).

Printed per scenario: "access_key", "secret", "token", "expiration" (Unix
seconds, null for credentials that do not expire), or "error"; "calls";
"cache": each cache file afterwards as botocore's JSONFileCache reads it,
without the ResponseMetadata rolectl does not keep, Expiration in Unix
seconds; "cache_text": the files as written.
"""
import json
import os
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import awscli  # noqa: F401  (selects the AWS CLI's own botocore)
import botocore.session
from awscli.customizations import assumerole
from botocore.utils import JSONFileCache, parse_timestamp

CALLS = []


class FakeSts(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        auth = self.headers.get("Authorization", "")
        scope = auth.split("Credential=")[1].split(",")[0].split("/") if "Credential=" in auth else None
        CALLS.append({
            "operation": params.pop("Action"),
            "params": {k: v for k, v in params.items() if k != "Version"},
            "signed_with": scope[0] if scope else None,
            "region": scope[2] if scope else None,
        })
        n = len(CALLS)
        action = CALLS[-1]["operation"]
        arn = params.get("RoleArn", "")
        parts = arn.split(":")
        account = parts[4] if len(parts) > 4 else ""
        xml = (
            f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
            f"<Credentials><AccessKeyId>ASIA{n}</AccessKeyId><SecretAccessKey>s{n}</SecretAccessKey>"
            f"<SessionToken>token-of-ASIA{n}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
            f"<AssumedRoleUser><AssumedRoleId>AROA{n}:x</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{account}:assumed-role/r/x</Arn></AssumedRoleUser>"
            f"</{action}Result><ResponseMetadata><RequestId>r{n}</RequestId></ResponseMetadata></{action}Response>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(xml)))
        self.end_headers()
        self.wfile.write(xml)


def run(scenario, endpoint):
    CALLS.clear()
    with tempfile.TemporaryDirectory() as tmp:
        def place(text):
            return text.replace("/fs/", tmp + "/fs/")

        for path, text in scenario.get("files", {}).items():
            full = place(path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", newline="") as f:
                f.write(text)
        for name, text in (("config", scenario["config"]), ("credentials", scenario["credentials"])):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(place(text))
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update({k: place(v) for k, v in scenario.get("env", {}).items()})
        # Hermetic: botocore's legacy providers read ~/.boto and BOTO_CONFIG.
        os.environ.pop("BOTO_CONFIG", None)
        os.environ["HOME"] = tmp
        os.environ["AWS_CONFIG_FILE"] = os.path.join(tmp, "config")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(tmp, "credentials")
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        os.environ["AWS_ENDPOINT_URL_STS"] = endpoint
        cache_dir = os.path.join(tmp, "cache")
        if scenario.get("cache"):
            os.makedirs(cache_dir)
            for key, text in scenario["cache"].items():
                with open(os.path.join(cache_dir, key + ".json"), "w") as f:
                    f.write(text)
        session = botocore.session.Session()
        if scenario.get("profile") is not None:
            session.set_config_variable("profile", scenario["profile"])
        result = {}
        try:
            # What the AWS CLI does at start-up: its file cache for roles.
            assumerole.CACHE_DIR = cache_dir
            assumerole.JSONFileCache = lambda _dir: JSONFileCache(cache_dir)
            assumerole.inject_assume_role_provider_cache(session)
            resolver = session.get_component("credential_provider")
            resolver.get_provider("assume-role")._prompter = lambda prompt: "123456"
            creds = session.get_credentials()
            frozen = None if creds is None else creds.get_frozen_credentials()
            result["access_key"] = frozen and frozen.access_key
            result["secret"] = frozen and frozen.secret_key
            result["token"] = (frozen and frozen.token) or None
            # Refreshable credentials keep their end here; static ones have none.
            expiry = getattr(creds, "_expiry_time", None)
            result["expiration"] = int(expiry.timestamp()) if expiry else None
        except Exception as e:  # the CLI prints these as its error
            result["error"] = type(e).__name__
        result["calls"] = list(CALLS)
        keys = sorted(
            f[: -len(".json")] for f in os.listdir(cache_dir) if f.endswith(".json")
        ) if os.path.isdir(cache_dir) else []
        files = JSONFileCache(cache_dir)
        result["cache"] = {}
        result["cache_text"] = {}
        for key in keys:
            entry = files[key]
            entry.pop("ResponseMetadata", None)
            creds = entry.get("Credentials", {})
            if "Expiration" in creds:
                creds["Expiration"] = int(parse_timestamp(creds["Expiration"]).timestamp())
            result["cache"][key] = entry
            with open(os.path.join(cache_dir, key + ".json")) as f:
                result["cache_text"][key] = f.read()
        return result


def main():
    server = HTTPServer(("127.0.0.1", 0), FakeSts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    scenarios = json.load(sys.stdin)
    print(json.dumps({s["name"]: run(s, endpoint) for s in scenarios}, indent=1))
    server.shutdown()


if __name__ == "__main__":
    main()
