// Bad input from JavaScript: every case ends in a rejected Promise (or a
// throw, for the synchronous exports) with a clear Error and a `code`,
// never a wasm trap or a Promise that never settles. No peer is needed:
// each STS answer comes from a fake `fetch`.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';

import { importRolectl } from './support.mjs';

const rolectl = await importRolectl();

const CONFIG = `[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
role_session_name = dev-session

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/mfa
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile proc]
credential_process = /usr/local/bin/get-creds --json

[profile imds]
role_arn = arn:aws:iam::123456789012:role/imds
credential_source = Ec2InstanceMetadata
`;
const CREDENTIALS = `[base]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
`;
const base = { configText: CONFIG, credentialsText: CREDENTIALS, env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' } };

/** Settles within `ms`, or the test fails: a hung Promise is a bug. */
async function settled(promise, ms = 10_000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Promise did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error) => ({ error })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejection(promise, ms) {
  assert.ok(promise instanceof Promise, 'resolveCredentials returns a Promise, even for bad input');
  const { value, error } = await settled(promise, ms);
  assert.equal(value, undefined, 'it must reject');
  assert.ok(error instanceof Error, `rejected with an Error, got ${error}`);
  assert.equal(typeof error.code, 'string');
  assert.doesNotMatch(error.message, /unreachable|RuntimeError|panicked/);
  return error;
}

test('wrong argument types are TypeErrors with code InvalidArgument', async () => {
  for (const [options, words] of [
    [undefined, /pass an options object/],
    [42, /options must be an object, got number/],
    ['dev', /options must be an object, got string/],
    [[], /options must be an object, got array/],
    [{ ...base, profile: 7 }, /option `profile` must be a string, got number/],
    [{ ...base, configText: { text: CONFIG } }, /option `configText` must be a string, got object/],
    [{ ...base, credentialsText: 1n }, /option `credentialsText` must be a string, got bigint/],
    [{ ...base, env: 'AWS_PROFILE=dev' }, /option `env` must be an object, got string/],
    [{ ...base, env: { AWS_REGION: 3 } }, /"AWS_REGION" must be a string, got number/],
    [{ ...base, mfaCodeProvider: '123456' }, /option `mfaCodeProvider` must be a function, got string/],
    [{ ...base, fetch: 'http://x' }, /option `fetch` must be a function/],
    [{ ...base, cache: {} }, /option `cache` must have get\(key\) and set\(key, entry\)/],
    [{ ...base, signal: {} }, /option `signal` must be an AbortSignal/],
    [{ ...base, readFile: null, region: false }, /option `region` must be a string, got boolean/],
  ]) {
    const error = await rejection(rolectl.resolveCredentials(options));
    assert.ok(error instanceof TypeError, `${error.message}`);
    assert.equal(error.code, 'InvalidArgument');
    assert.match(error.message, /^resolveCredentials: /);
    assert.match(error.message, words);
  }
});

test('the synchronous exports throw TypeErrors for wrong types', () => {
  for (const call of [
    () => rolectl.parseConfig(42),
    () => rolectl.parseConfig(),
    () => rolectl.parseConfig('[default]\n', 5),
    () => rolectl.lint(null),
    () => rolectl.explain('dev'),
    () => rolectl.explain({ configText: 3 }),
    () => rolectl.signRequest({ url: 'https://sts.amazonaws.com/', region: 'us-east-1', service: 'sts' }),
    () => rolectl.signRequest({ url: 5 }),
    () => rolectl.presignUrl(null),
  ]) {
    assert.throws(call, (e) => e instanceof TypeError && e.code === 'InvalidArgument' && e.message.length > 20);
  }
});

test('a config that cannot be read is a ParseError with its place', async () => {
  assert.throws(() => rolectl.parseConfig('[default]\nregion = x\n[profile broken\n'), (e) =>
    e.code === 'ParseError' && e.file === 'config' && e.line === 3 && /^config:3:1: Profile definition must end with '\]'/.test(e.message));
  const error = await rejection(rolectl.resolveCredentials({ profile: 'dev', configText: 'key = value\n' }));
  assert.equal(error.code, 'ParseError');
  assert.equal(error.line, 1);
});

test('a huge config is refused with a clear error; a large one is read', async () => {
  const huge = '#'.repeat(17 * 1024 * 1024);
  const error = await rejection(rolectl.resolveCredentials({ profile: 'dev', configText: huge }));
  assert.equal(error.code, 'InvalidArgument');
  assert.match(error.message, /`configText` is 17825792 bytes long; rolectl reads config and credentials files of at most 16777216 bytes/);
  assert.throws(() => rolectl.parseConfig(huge), /at most 16777216 bytes/);
  assert.throws(() => rolectl.lint(CONFIG, huge), /at most 16777216 bytes/);
  // 5 000 profiles, about 330 KB: parsed, linted and explained without trouble.
  let large = '';
  for (let i = 0; i < 5_000; i++) large += `[profile p${i}]\nrole_arn = arn:aws:iam::123456789012:role/r${i}\nsource_profile = p${i + 1}\n`;
  large += `[profile p5000]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n`;
  assert.equal(Object.keys(rolectl.parseConfig(large).profiles).length, 5_001);
  assert.ok(Array.isArray(rolectl.lint(large)));
  assert.equal(rolectl.explain({ profile: 'p4990', configText: large }).steps.length, 11);
});

test('a fetch that rejects: rejected with code Transport and the reason, after the retries', async () => {
  let calls = 0;
  const error = await rejection(rolectl.resolveCredentials({
    ...base, profile: 'dev', fetch: async () => { calls++; throw new TypeError('fetch failed: connect ECONNREFUSED'); },
  }), 20_000);
  assert.equal(error.code, 'Transport');
  assert.equal(calls, 3, 'three attempts, as botocore\'s standard retry mode');
  assert.match(error.message, /ECONNREFUSED/);
  assert.match(error.message, /AssumeRole/);
});

test('a fetch that returns an HTML page: rejected with code UnexpectedResponse', async () => {
  const html = '<!doctype html><html><body><h1>Captive portal</h1></body></html>';
  const error = await rejection(rolectl.resolveCredentials({
    ...base, profile: 'dev',
    fetch: async () => new Response(html, { status: 200, headers: { 'content-type': 'text/html' } }),
  }));
  assert.equal(error.code, 'UnexpectedResponse');
  assert.match(error.message, /^An error occurred \(200\) when calling the AssumeRole operation: the response is not a valid STS answer/);
  assert.match(error.message, /text\/html/);
  assert.match(error.message, /Captive portal/);
});

test('a fetch that returns something that is not a Response: rejected with code Transport', async () => {
  for (const answer of [42, { status: 200 }]) {
    const error = await rejection(rolectl.resolveCredentials({
      ...base, profile: 'dev', fetch: async () => answer,
    }), 20_000);
    assert.equal(error.code, 'Transport', error.message);
  }
});

test('an MFA callback that throws, gives a bad code or is missing: a clear rejection', async () => {
  const serial = 'arn:aws:iam::123456789012:mfa/alice';
  let asked = 0;
  const noFetch = async () => { asked++; throw new Error('STS must not be called'); };
  let error = await rejection(rolectl.resolveCredentials({
    ...base, profile: 'mfa', fetch: noFetch, mfaCodeProvider: () => { throw new Error('the user closed the prompt'); },
  }));
  assert.equal(error.code, 'MfaUnavailable');
  assert.equal(error.message, `No MFA code could be read for ${serial} (profile "mfa"): the mfaCodeProvider failed: Error: the user closed the prompt`);

  error = await rejection(rolectl.resolveCredentials({
    ...base, profile: 'mfa', fetch: noFetch, mfaCodeProvider: async () => Promise.reject(new RangeError('no device')),
  }));
  assert.equal(error.code, 'MfaUnavailable');
  assert.match(error.message, /RangeError: no device/);

  for (const code of ['12345', '1234567', 'abcdef', '', ' 123456']) {
    error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'mfa', fetch: noFetch, mfaCodeProvider: async () => code }));
    assert.equal(error.code, 'InvalidMfaCode');
    assert.equal(error.message, `The MFA code for ${serial} (profile "mfa") must be exactly 6 digits.`);
  }
  error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'mfa', fetch: noFetch, mfaCodeProvider: async () => 123456 }));
  assert.equal(error.code, 'MfaUnavailable');
  assert.match(error.message, /gave number, not a string of 6 digits/);

  error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'mfa', fetch: noFetch }));
  assert.equal(error.code, 'MfaUnavailable');
  assert.match(error.message, /no mfaCodeProvider was given/);
  assert.equal(asked, 0);
});

test('AbortSignal: aborted before, during the MFA prompt, or during fetch rejects with AbortError', async () => {
  let error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'dev', signal: AbortSignal.abort() }));
  assert.equal(error.code, 'AbortError');
  assert.equal(error.name, 'AbortError');

  const controller = new AbortController();
  const pending = rolectl.resolveCredentials({
    ...base, profile: 'mfa', signal: controller.signal, mfaCodeProvider: () => new Promise(() => {}),
  });
  setTimeout(() => controller.abort(new Error('user cancelled')), 50);
  error = await rejection(pending, 2_000);
  assert.equal(error.code, 'AbortError');
  assert.match(error.message, /profile "mfa" was aborted/);
  assert.equal(error.cause.message, 'user cancelled');

  const second = new AbortController();
  let signalSeen;
  const inFlight = rolectl.resolveCredentials({
    ...base, profile: 'dev', signal: second.signal,
    fetch: (url, init) => { signalSeen = init.signal; return new Promise(() => {}); },
  });
  setTimeout(() => second.abort(), 50);
  error = await rejection(inFlight, 2_000);
  assert.equal(error.code, 'AbortError');
  assert.equal(signalSeen, second.signal, 'the signal is passed on to fetch');

  // A signal shared by many calls keeps no listener once each call is over.
  const shared = new AbortController();
  for (let i = 0; i < 3; i++) {
    await rolectl.resolveCredentials({ ...base, profile: 'nope', signal: shared.signal }).catch(() => {});
  }
  assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
});

test('what a browser cannot do is an error naming the profile, or goes to a callback', async () => {
  let error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'proc' }));
  assert.equal(error.code, 'Process');
  assert.match(error.message, /profile "proc"/);
  assert.match(error.message, /starts no processes.*runProcess/);

  error = await rejection(rolectl.resolveCredentials({ ...base, profile: 'imds' }));
  assert.equal(error.code, 'CredentialSourceEmpty');
  assert.match(error.message, /Ec2InstanceMetadata referenced in profile "imds"/);
  assert.match(error.message, /instance metadata service cannot be reached/);

  const commands = [];
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  const c = await rolectl.resolveCredentials({
    ...base, profile: 'proc',
    runProcess: async (command, profile) => {
      commands.push([command, profile]);
      return { status: 0, stdout: JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROCESS', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration }) };
    },
  });
  assert.deepEqual(commands, [['/usr/local/bin/get-creds --json', 'proc']]);
  assert.equal(c.accessKeyId, 'AKIDPROCESS');
});

test('after all of this the module still works (no trap poisoned it)', async () => {
  assert.equal(typeof rolectl.version(), 'string');
  assert.ok(rolectl.parseConfig(CONFIG, CREDENTIALS).profiles.dev);
});
