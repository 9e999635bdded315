"""Prints how botocore (the pinned venv's, as the AWS CLI loads it) reads one
config file and one credentials file: `Session().full_config`, as JSON.

    corpus_botocore.py [--config FILE] [--credentials FILE]
    corpus_botocore.py [--config FILE] [--credentials FILE] --resolve PROFILE --sts URL --cache-dir DIR [--region R]
    corpus_botocore.py --corpus DIR

Output: {"ok": true, "profiles": {...}, "sso_sessions": {...},
"services": {...}, "other_sections": {...}} where a sub-property block
(`s3 =` and indented lines) is a nested object, exactly as botocore keeps
it; or {"ok": false, "error": "<exception class>: <message>"} when botocore
refuses the files (ConfigParseError and the like). The files come only
from the arguments (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE of a
fresh Session); every other AWS_* variable is removed first.

With --corpus, it prints {"<case>": <the view above>} for every case
directory of DIR (its `config` and/or `credentials` file), each read by a
fresh Session.

With --resolve, it resolves PROFILE's credentials instead, as the AWS CLI
wires its credential chain (its JSONFileCache in DIR for roles, an MFA
prompt that answers 123456), with STS at URL (and AWS_DEFAULT_REGION=R
with --region), and prints {"ok": true,
"access_key": ...} or {"ok": false, "error": ...}. Secrets are never printed.
"""

import argparse
import json
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--credentials")
    parser.add_argument("--resolve", metavar="PROFILE")
    parser.add_argument("--sts", metavar="URL")
    parser.add_argument("--cache-dir")
    parser.add_argument("--region", help="AWS_DEFAULT_REGION for --resolve")
    parser.add_argument("--corpus", metavar="DIR")
    args = parser.parse_args()
    if args.corpus is not None:
        views = {}
        for case in sorted(os.listdir(args.corpus)):
            folder = os.path.join(args.corpus, case)
            if not os.path.isdir(folder):
                continue
            config, credentials = (os.path.join(folder, name) for name in ("config", "credentials"))
            views[case] = view(config if os.path.exists(config) else None,
                               credentials if os.path.exists(credentials) else None)
        print(json.dumps(views, sort_keys=True))
        return 0
    if args.resolve is not None:
        set_files(args.config, args.credentials)
        os.environ["AWS_ENDPOINT_URL_STS"] = args.sts
        if args.region:
            os.environ["AWS_DEFAULT_REGION"] = args.region
        return resolve(args.resolve, args.cache_dir)
    print(json.dumps(view(args.config, args.credentials), sort_keys=True))
    return 0


def set_files(config, credentials) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    # os.devnull is not a regular file: botocore treats it as a missing file.
    os.environ["AWS_CONFIG_FILE"] = os.path.abspath(config) if config else os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = (
        os.path.abspath(credentials) if credentials else os.devnull)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def view(config, credentials) -> dict:
    """botocore's full_config of the two files, or its error."""
    set_files(config, credentials)
    import awscli  # noqa: F401  (the AWS CLI's own botocore)
    import botocore.session

    try:
        config = botocore.session.Session().full_config
    except Exception as error:  # whatever botocore raises is the answer
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    known = ("profiles", "sso_sessions", "services")
    out = {"ok": True}
    for key in known:
        out[key] = config.get(key, {})
    out["other_sections"] = {k: v for k, v in config.items() if k not in known}
    return out


def resolve(profile: str, cache_dir: str) -> int:
    import awscli  # noqa: F401
    import botocore.session
    from awscli.customizations import assumerole
    from botocore.utils import JSONFileCache

    session = botocore.session.Session(profile=profile)
    try:
        # What the AWS CLI does at start-up: its file cache for roles.
        assumerole.JSONFileCache = lambda _dir: JSONFileCache(cache_dir)
        assumerole.inject_assume_role_provider_cache(session)
        resolver = session.get_component("credential_provider")
        resolver.get_provider("assume-role")._prompter = lambda prompt: "123456"
        creds = session.get_credentials()
        if creds is None:
            raise RuntimeError("no credentials")
        frozen = creds.get_frozen_credentials()
        print(json.dumps({"ok": True, "access_key": frozen.access_key}))
    except Exception as error:  # the CLI prints these as its error
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
