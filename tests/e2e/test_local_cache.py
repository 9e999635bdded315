"""The cache never breaks a run.

The role profile has a `role_session_name`, so its cache key is the AWS
CLI's `sha1(json.dumps({"RoleArn": ..., "RoleSessionName": ...},
sort_keys=True))`. Whatever sits at that key that is not a fresh entry
(corrupt, empty, wrong-shaped, expired, about to expire, undated, too large)
is a miss: the fake STS is called and the entry is replaced by a valid one,
mode 0600. A symlink or a directory at the key is never written through;
a cache directory that is a file, or that this user cannot write, gives a
warning naming the path and the run succeeds without caching."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from conftest import Sandbox
from fakes import (  # noqa: F401  (fixtures)
    ROLE_ARN,
    SESSION,
    FakeSts,
    box,
    cache_key,
    cache_leftovers,
    in_hours,
    iso,
    role_profile_config,
    run,
    run_as,
    sts,
)

KEY = cache_key(ROLE_ARN, SESSION)
ARGS = ["--profile", "role", "export"]


def entry(expiration: str | None = None, **creds) -> str:
    c = {
        "AccessKeyId": "ASIAOLDCACHEDENTRY01",
        "SecretAccessKey": "oldCachedSecret/abc",
        "SessionToken": "oldCachedToken/abc",
    }
    if expiration is not None:
        c["Expiration"] = expiration
    c.update(creds)
    return json.dumps({
        "Credentials": c,
        "AssumedRoleUser": {"AssumedRoleId": f"AROA:{SESSION}", "Arn": f"arn:aws:sts::123456789012:assumed-role/e2e-role/{SESSION}"},
    })


@pytest.fixture
def cbox(box: Sandbox) -> Sandbox:
    box.write_config(role_profile_config("role"))
    return box


def entry_path(sb: Sandbox) -> Path:
    return sb.cache_dir / f"{KEY}.json"


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def fresh_output(sts: FakeSts, r) -> dict:
    """The run succeeded with the credentials of the fake STS's last answer."""
    assert r.status == 0, str(r)
    assert "panicked" not in r.stderr, str(r)
    out = json.loads(r.stdout)
    assert sts.issued, "STS was never called"
    assert out["AccessKeyId"] == sts.issued[-1]["AccessKeyId"], str(r)
    return out


def assert_stored(sb: Sandbox, sts: FakeSts):
    p = entry_path(sb)
    assert p.is_file() and not p.is_symlink()
    assert mode(p) == 0o600, oct(mode(p))
    stored = json.loads(p.read_text())
    assert stored["Credentials"]["AccessKeyId"] == sts.issued[-1]["AccessKeyId"]
    assert stored["Credentials"]["SecretAccessKey"] == sts.issued[-1]["SecretAccessKey"]
    # Nothing else was left behind (temporary files are renamed into place).
    assert cache_leftovers(sb) == [f"{KEY}.json"], cache_leftovers(sb)


def test_the_key_is_the_aws_cli_key_and_a_fresh_entry_is_a_hit(cbox, sts):
    r = run(cbox, *ARGS)
    fresh_output(sts, r)
    assert_stored(cbox, sts)
    assert mode(cbox.cache_dir) == 0o700
    again = run(cbox, *ARGS)
    assert again.status == 0 and again.stdout == r.stdout, str(again)
    assert len(sts.calls("AssumeRole")) == 1, "a fresh entry is a hit"
    # An entry written by the AWS CLI (offset form, extra keys) is a hit too.
    entry_path(cbox).write_text(entry(iso(in_hours(2)).replace("Z", "+00:00"))[:-1]
                                + ', "ResponseMetadata": {"RequestId": "x"}}')
    hit = run(cbox, *ARGS)
    assert hit.status == 0 and json.loads(hit.stdout)["AccessKeyId"] == "ASIAOLDCACHEDENTRY01", str(hit)
    assert len(sts.calls("AssumeRole")) == 1


MISSES = {
    "corrupt": '{"Credentials": {"AccessKeyId": "ASIA',
    "empty": "",
    "whitespace": "  \n",
    "binary": "\x00\x01\x02garbage",
    "json-array": "[]",
    "json-string": '"hello"',
    "credentials-not-an-object": '{"Credentials": "ASIA"}',
    "key-not-a-string": entry(iso(in_hours(2)), AccessKeyId=5),
    "no-secret": json.dumps({"Credentials": {"AccessKeyId": "A", "SessionToken": "T",
                                             "Expiration": iso(in_hours(2))}}),
    "no-session-token": json.dumps({"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S",
                                                    "Expiration": iso(in_hours(2))}}),
    "expired": entry(iso(in_hours(-1))),
    "expires-within-15-minutes": entry(iso(in_hours(10 / 60))),
    "undated": entry(None),
    "expiration-not-a-time": entry("tomorrow"),
    "expiration-without-offset": entry(iso(in_hours(2)).rstrip("Z")),
    "larger-than-any-entry": entry(iso(in_hours(2)))[:-1] + ', "pad": "' + "x" * 100_000 + '"}',
}


@pytest.mark.parametrize("content", MISSES.values(), ids=MISSES.keys())
def test_a_bad_entry_is_a_miss_and_is_replaced(cbox, sts, content):
    p = entry_path(cbox)
    p.parent.mkdir(parents=True)
    p.write_text(content)
    p.chmod(0o644)
    r = run(cbox, *ARGS)
    fresh_output(sts, r)
    assert len(sts.calls("AssumeRole")) == 1
    assert_stored(cbox, sts)
    assert "oldCachedSecret" not in r.stderr


def test_an_oversized_entry_is_said_to_be_unusable_and_is_replaced(cbox, sts):
    """The front end does not hand a 64 KiB+ file to the resolver as text:
    it says why it is unusable, and both the run and explain say so."""
    p = entry_path(cbox)
    p.parent.mkdir(parents=True)
    p.write_text(MISSES["larger-than-any-entry"])
    shown = run(cbox, "--profile", "role", "explain")
    assert shown.status == 0, str(shown)
    assert "unreadable (it is larger than 64 KiB" in shown.stdout, shown.stdout
    r = run(cbox, *ARGS)
    fresh_output(sts, r)
    assert f"{KEY}.json is unusable, because it is larger than 64 KiB" in r.stderr, str(r)
    assert_stored(cbox, sts)


def test_a_symlink_entry_is_never_written_through(cbox, sts, tmp_path):
    outside = tmp_path / "outside.json"
    original = entry(iso(in_hours(-1)))  # would be a miss if read
    outside.write_text(original)
    outside.chmod(0o644)
    p = entry_path(cbox)
    p.parent.mkdir(parents=True)
    p.symlink_to(outside)
    for _ in range(2):
        r = run(cbox, *ARGS)
        fresh_output(sts, r)
        assert "warning" in r.stderr and str(p) in r.stderr, str(r)
    assert len(sts.calls("AssumeRole")) == 2, "nothing was cached"
    assert p.is_symlink() and os.readlink(p) == str(outside)
    assert outside.read_text() == original and mode(outside) == 0o644
    assert [q.name for q in tmp_path.iterdir() if q.name != "home"] == ["outside.json"]


def test_a_dangling_symlink_entry_creates_nothing(cbox, sts, tmp_path):
    target = tmp_path / "not-there.json"
    p = entry_path(cbox)
    p.parent.mkdir(parents=True)
    p.symlink_to(target)
    r = run(cbox, *ARGS)
    fresh_output(sts, r)
    assert "warning" in r.stderr and str(p) in r.stderr, str(r)
    assert p.is_symlink() and not target.exists()


def test_a_directory_entry_is_never_written_through(cbox, sts):
    p = entry_path(cbox)
    p.mkdir(parents=True)
    r = run(cbox, *ARGS)
    fresh_output(sts, r)
    assert "warning" in r.stderr and str(p) in r.stderr, str(r)
    assert p.is_dir() and list(p.iterdir()) == []


@pytest.mark.parametrize("how", ["default-path", "--cache-dir"])
def test_a_cache_directory_that_is_a_file(cbox, sts, how):
    if how == "default-path":
        cache = cbox.cache_dir
        args = ARGS
    else:
        cache = cbox.home / "cache-file"
        args = ["--cache-dir", str(cache), *ARGS]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("I am a file\n")
    r = run(cbox, *args)
    fresh_output(sts, r)
    assert "warning" in r.stderr and str(cache) in r.stderr, str(r)
    assert cache.read_text() == "I am a file\n"
    again = run(cbox, *args)
    fresh_output(sts, again)
    assert len(sts.calls("AssumeRole")) == 2, "nothing was cached"


NOBODY = 65534


@pytest.fixture
def world_readable_box(sts, rolectl_bin):
    """A sandbox whose files user 65534 can read (tmp_path is root's 0700)."""
    root = Path(tempfile.mkdtemp(prefix="rolectl-e2e-ro-"))
    root.chmod(0o755)
    sb = Sandbox(home=root, sts_url=sts.url)
    sb.write_config(role_profile_config("role"))
    sb.aws.chmod(0o755)
    sb.config.chmod(0o644)
    yield sb
    shutil.rmtree(root)


def test_a_read_only_cache_directory(world_readable_box, sts):
    sb = world_readable_box
    # As root the directory would be writable whatever its mode: run
    # rolectl as user 65534, for whom the root-owned 0755 directory is
    # read-only. A stale entry sits at the key (readable, not replaceable).
    sb.cache_dir.mkdir(parents=True)
    for d in (sb.aws / "cli", sb.cache_dir):
        d.chmod(0o755)
    stale = entry(iso(in_hours(-1)))
    entry_path(sb).write_text(stale)
    entry_path(sb).chmod(0o644)
    r = run_as(sb, NOBODY, *ARGS)
    fresh_output(sts, r)
    assert "warning" in r.stderr and str(sb.cache_dir) in r.stderr, str(r)
    assert entry_path(sb).read_text() == stale
    assert cache_leftovers(sb) == [f"{KEY}.json"]
    # The same user with a cache directory it owns caches as usual.
    own = sb.home / "own-cache"
    own.mkdir()
    os.chown(own, NOBODY, NOBODY)
    r2 = run_as(sb, NOBODY, "--cache-dir", own, *ARGS)
    fresh_output(sts, r2)
    assert (own / f"{KEY}.json").is_file()
