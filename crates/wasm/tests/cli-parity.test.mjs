// The package's `explain` and `lint` give what `rolectl explain --format
// json` and `rolectl lint --format json` print for the same files and
// environment (both call the same resolver functions). ROLECTL_BIN is the
// rolectl command scripts/test-npm.sh builds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';

import { importRolectl } from './support.mjs';

const run = promisify(execFile);
const rolectl = await importRolectl();
let dir;
let paths;

const CONFIG = `[default]
region = us-west-2 # the team's region

[profile marketingadmin]
role_arn = arn:aws:iam::123456789012:role/marketingadminrole
source_profile = user1
role_session_name = session_user1
duration_seconds = 3600

[profile mfaadmin]
role_arn = arn:aws:iam::123456789012:role/mfarole
source_profile = marketingadmin
mfa_serial = arn:aws:iam::123456789012:mfa/user1
external_id = 123ABC

[profile fromenv]
role_arn = arn:aws:iam::123456789012:role/envrole
credential_source = Environment
region = eu-west-1

[profile web]
role_arn = arn:aws:iam::123456789012:role/webrole
web_identity_token_file = /var/run/secrets/token

[profile broken]
role_arn = arn:aws:iam::123456789012:role/broken
source_profile = nowhere
colour = blue
`;
const CREDENTIALS = `[user1]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
`;
const ENV = { AWS_ACCESS_KEY_ID: 'AKIDENVEXAMPLE', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' };

function bin() {
  const path = process.env.ROLECTL_BIN;
  if (!path) throw new Error('ROLECTL_BIN is not set: scripts/test-npm.sh builds rolectl and sets it');
  return path;
}

async function cli(args) {
  const env = { PATH: process.env.PATH, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', ...ENV };
  const common = ['--config-file', paths.config, '--credentials-file', paths.credentials, '--no-cache'];
  try {
    const { stdout } = await run(bin(), [...common, ...args], { env, timeout: 20_000 });
    return { status: 0, stdout };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { status: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolectl-parity-'));
  paths = { config: join(dir, 'config'), credentials: join(dir, 'credentials') };
  await writeFile(paths.config, CONFIG);
  await writeFile(paths.credentials, CREDENTIALS);
});

test('explain gives rolectl explain --format json, profile by profile', async () => {
  // undefined: no --profile, so the environment's keys come first.
  for (const profile of ['marketingadmin', 'mfaadmin', 'fromenv', 'web', undefined]) {
    const select = profile ? ['--profile', profile] : [];
    const { status, stdout, stderr } = await cli([...select, 'explain', '--format', 'json']);
    assert.equal(status, 0, `rolectl explain ${profile}: ${stderr}`);
    const ours = rolectl.explain({ profile, configText: CONFIG, credentialsText: CREDENTIALS, env: ENV, paths });
    assert.deepEqual(ours, JSON.parse(stdout), profile ?? '(no profile)');
  }
});

test('explain fails where rolectl explain fails, with the same sentence', async () => {
  const { status, stderr } = await cli(['--profile', 'broken', 'explain', '--format', 'json']);
  assert.notEqual(status, 0);
  const error = (() => {
    try {
      rolectl.explain({ profile: 'broken', configText: CONFIG, credentialsText: CREDENTIALS, env: ENV });
    } catch (e) {
      return e;
    }
    return assert.fail('explain did not throw');
  })();
  assert.equal(error.code, 'SourceProfileNotFound');
  assert.ok(stderr.includes(error.message.replaceAll('config:', `${paths.config}:`)), `${stderr}\n${error.message}`);
});

test('lint gives rolectl lint --format json', async () => {
  const { stdout } = await cli(['lint', '--format', 'json']);
  const theirs = JSON.parse(stdout);
  const ours = rolectl.lint(CONFIG, CREDENTIALS).map((f) => ({ ...f, file: paths[f.file] }));
  assert.ok(ours.length >= 2, JSON.stringify(ours));
  assert.deepEqual(ours, theirs);
});
