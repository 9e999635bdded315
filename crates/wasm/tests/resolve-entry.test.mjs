// The `rolectl/resolve` entry, in Node and in headless Chromium: the smaller
// WebAssembly module without parseConfig, lint and explain. The same
// scenarios run in both: a role resolved against moto, a request signed with
// its credentials and checked by moto, a presigned URL against
// @smithy/signature-v4's, an SSO profile and a login session whose tokens
// come in through readFile (fake portal and Sign-In behind `fetch`).
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { chromium } from 'playwright-core';

import { startServer } from '../../../examples/web/serve.mjs';
import {
  ACCOUNT, createRole, createUser, importRolectl, importRolectlResolve, inAuthWindow, packageDir, peerUrl, trust, uniqueSuffix,
} from './support.mjs';

const resolveEntry = await importRolectlResolve();
const full = await importRolectl();
const moto = peerUrl('ROLECTL_MOTO_URL');
const suffix = uniqueSuffix();
const sha1 = (text) => createHash('sha1').update(text).digest('hex');
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const ENTRY_EXPORTS = ['presignUrl', 'resolveCredentials', 'signRequest', 'version'];
const LOGIN_SESSION = 'arn:aws:iam::123456789012:user/alice';
const PRESIGN = {
  url: 'https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'FQoGZXIvYXdzEXAMPLE/token+=' },
  region: 'us-east-1',
  service: 'sts',
  date: '2015-08-30T12:36:00Z',
  expiresIn: 900,
};

let fixture;
let login;
let server;
let context;
let pageDir;
let profileDir;
const pageErrors = [];

/**
 * Every scenario against one loaded entry `r`. Runs in Node and, as its
 * source text, in the page: it uses nothing but its arguments and globals
 * both have (fetch, Response, Headers, Map).
 */
async function scenarios(r, input) {
  const out = { exports: Object.keys(r).sort() };
  // A role through source_profile, AssumeRole at moto.
  const cache = new Map();
  const role = await r.resolveCredentials({
    profile: 'marketingadmin', configText: input.config, credentialsText: input.credentials, cache,
  });
  out.role = { arn: role.arn, accessKeyId: role.accessKeyId, fromCache: role.fromCache, cached: cache.size };
  // GetCallerIdentity signed with those credentials; moto checks the signature.
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signed = r.signRequest({
    method: 'POST', url: `${input.sts}/`, body, region: 'us-east-1', service: 'sts',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    credentials: role,
  });
  const answer = await fetch(signed.url, { method: 'POST', headers: signed.headers, body });
  const text = await answer.text();
  out.caller = { status: answer.status, arn: (text.match(/<Arn>([^<]*)<\/Arn>/) ?? [])[1] };
  out.presigned = r.presignUrl(input.presign);
  // IAM Identity Center: the token file through readFile, the portal behind fetch.
  const ssoReads = [];
  const ssoCalls = [];
  const sso = await r.resolveCredentials({
    profile: 'dev', configText: input.ssoConfig, env: { AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:9' },
    readFile: async (path) => { ssoReads.push(path); return input.ssoToken; },
    fetch: async (url, init) => {
      const bearer = new Headers(init.headers).get('x-amz-sso_bearer_token');
      ssoCalls.push({ url: String(url), bearer });
      return new Response(JSON.stringify({ roleCredentials: { accessKeyId: 'ASIAPORTALRESOLVE001', secretAccessKey: 's', sessionToken: 't', expiration: Date.now() + 3600e3 } }), { status: 200 });
    },
  });
  out.sso = { accessKeyId: sso.accessKeyId, reads: ssoReads, calls: ssoCalls };
  // A console login session near its end: refreshed with a DPoP proof.
  const loginReads = [];
  const proofs = [];
  const written = [];
  const session = await r.resolveCredentials({
    profile: 'console', configText: input.loginConfig, env: { AWS_ENDPOINT_URL_SIGNIN: 'http://127.0.0.1:9' },
    readFile: async (path) => { loginReads.push(path); return input.loginFile; },
    writeFile: async (path, content) => { written.push({ path, text: content }); },
    fetch: async (url, init) => {
      proofs.push({ url: String(url), dpop: new Headers(init.headers).get('dpop') });
      return new Response(JSON.stringify({ accessToken: { accessKeyId: 'ASIALOGINRESOLVE01', secretAccessKey: 'new', sessionToken: 'new' }, tokenType: 'aws_sigv4', expiresIn: 900, refreshToken: 'refresh-2' }), { status: 200 });
    },
  });
  out.login = { accessKeyId: session.accessKeyId, reads: loginReads, proofs, written };
  // Errors keep their codes.
  out.missing = await r.resolveCredentials({ profile: 'nope', configText: input.config }).then(
    () => null,
    (e) => ({ code: e.code, message: e.message, profile: e.profile }),
  );
  return out;
}

before(async () => {
  fixture = await inAuthWindow(moto, async () => {
    const user = await createUser(full, moto, `resolve-entry-${suffix}`);
    return { user, role: await createRole(full, moto, `resolveentryrole-${suffix}`, trust(user.arn)) };
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const soon = new Date(Date.now() + 120e3).toISOString().replace(/\.\d+Z$/, 'Z');
  login = {
    jwk: publicKey.export({ format: 'jwk' }),
    file: {
      accessToken: { accessKeyId: 'ASIAOLD', secretAccessKey: 'old', sessionToken: 'old', accountId: ACCOUNT, expiresAt: soon },
      tokenType: 'aws_sigv4', refreshToken: 'refresh-1', idToken: 'h.p.s',
      clientId: 'arn:aws:signin:::devtools/same-device',
      dpopKey: privateKey.export({ type: 'sec1', format: 'pem' }), signInRegion: 'us-east-1',
    },
  };
  pageDir = await mkdtemp(join(tmpdir(), 'rolectl-resolve-page-'));
  await writeFile(join(pageDir, 'index.html'), `<!doctype html><meta charset="utf-8">
<script type="module">
import * as rolectl from '/rolectl/resolve/browser.js';
window.rolectl = rolectl;
document.body.dataset.ready = 'true';
</script><body></body>`);
  server = await startServer({ mounts: { '/': pageDir, '/rolectl/': packageDir() }, sts: moto });
  profileDir = await mkdtemp(join(tmpdir(), 'rolectl-chromium-resolve-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
  context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const dir of [pageDir, profileDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

/** The scenarios' input, STS calls going to `sts` (moto, or the page's server). */
function input(sts, session) {
  const expiresAt = new Date(Date.now() + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    sts,
    config: `[profile marketingadmin]\nrole_arn = ${fixture.role}\nsource_profile = user1\nrole_session_name = ${session}\nendpoint_url = ${sts}\n`,
    credentials: `[user1]\naws_access_key_id = ${fixture.user.accessKeyId}\naws_secret_access_key = ${fixture.user.secretAccessKey}\n`,
    presign: PRESIGN,
    ssoConfig: '[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n[sso-session corp]\nsso_start_url = https://d-9067000000.awsapps.com/start\nsso_region = us-east-1\n',
    ssoToken: JSON.stringify({ startUrl: 'https://d-9067000000.awsapps.com/start', region: 'us-east-1', accessToken: `sso-token-${session}`, expiresAt }),
    loginConfig: `[profile console]\nlogin_session = ${LOGIN_SESSION}\nregion = us-east-1\n`,
    loginFile: JSON.stringify(login.file),
  };
}

async function smithyPresigned() {
  const signer = new SignatureV4({ credentials: PRESIGN.credentials, region: 'us-east-1', service: 'sts', sha256: Sha256, applyChecksum: false });
  const signed = await signer.presign({
    method: 'GET', protocol: 'https:', hostname: 'sts.amazonaws.com', path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'sts.amazonaws.com' },
  }, { signingDate: new Date(PRESIGN.date), expiresIn: PRESIGN.expiresIn });
  return signed.query;
}

/** The checks both runs must pass. */
async function check(out, session) {
  assert.deepEqual(out.exports, ENTRY_EXPORTS);
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/resolveentryrole-${suffix}/${session}`;
  assert.equal(out.role.arn, arn);
  assert.match(out.role.accessKeyId, /^ASIA/);
  assert.equal(out.role.fromCache, false);
  assert.equal(out.role.cached, 1, 'the role credentials went into the cache');
  assert.deepEqual(out.caller, { status: 200, arn }, 'moto accepted the signature and saw the role');
  const query = new URL(out.presigned).searchParams;
  const reference = await smithyPresigned();
  for (const name of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature']) {
    assert.equal(query.get(name), reference[name], name);
  }
  assert.equal(out.sso.accessKeyId, 'ASIAPORTALRESOLVE001');
  assert.deepEqual(out.sso.reads, [`~/.aws/sso/cache/${sha1('corp')}.json`]);
  assert.deepEqual(out.sso.calls, [{ url: 'http://127.0.0.1:9/federation/credentials?role_name=ReadOnly&account_id=123456789012', bearer: `sso-token-${session}` }]);
  assert.equal(out.login.accessKeyId, 'ASIALOGINRESOLVE01');
  assert.deepEqual(out.login.reads, [`~/.aws/login/cache/${sha256(LOGIN_SESSION)}.json`]);
  assert.equal(out.login.proofs.length, 1);
  const { url, dpop } = out.login.proofs[0];
  assert.equal(url, 'http://127.0.0.1:9/v1/token');
  const [h, p, s] = dpop.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  assert.deepEqual(header.jwk, { kty: 'EC', x: login.jwk.x, y: login.jwk.y, crv: 'P-256' });
  const key = createPublicKey({ key: header.jwk, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), 'the DPoP proof verifies');
  assert.equal(out.login.written.length, 1);
  assert.equal(JSON.parse(out.login.written[0].text).refreshToken, 'refresh-2');
  assert.equal(out.missing?.code, 'ProfileNotFound');
  assert.equal(out.missing.profile, 'nope');
}

test('rolectl/resolve exports resolveCredentials, signRequest, presignUrl and version; its module has no lint, explain or parseConfig', async () => {
  assert.deepEqual(Object.keys(resolveEntry).sort(), ENTRY_EXPORTS);
  const exportsOf = async (name) => WebAssembly.Module.exports(new WebAssembly.Module(await readFile(join(packageDir(), 'web', name)))).map((e) => e.name);
  const small = await exportsOf('rolectl_resolve_bg.wasm');
  const whole = await exportsOf('rolectl_bg.wasm');
  for (const name of ['lint', 'explain', 'parseConfig']) {
    assert.ok(whole.includes(name), `the full module exports ${name}`);
    assert.ok(!small.includes(name), `the resolve module exports no ${name}`);
  }
  for (const name of ['resolveCredentials', 'signRequest', 'presignUrl']) assert.ok(small.includes(name), name);
  const pkg = JSON.parse(await readFile(join(packageDir(), 'package.json'), 'utf8'));
  assert.equal(resolveEntry.version(), pkg.version);
  assert.deepEqual(pkg.exports['./resolve'], {
    node: { types: './resolve/node.d.ts', default: './resolve/node.js' },
    browser: { types: './resolve/browser.d.ts', default: './resolve/browser.js' },
    default: { types: './resolve/browser.d.ts', default: './resolve/browser.js' },
  });
});

test('rolectl/resolve in Node: a role at moto, a signed request, a presigned URL, SSO and login through readFile', async () => {
  const session = `node-${suffix}`;
  await check(await scenarios(resolveEntry, input(moto, session)), session);
});

test('rolectl/resolve in Chromium: the same scenarios in a page, STS through its origin', async () => {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 15_000 });
  const session = `chromium-${suffix}`;
  const out = await page.evaluate(
    ([source, data]) => (0, eval)(`(${source})`)(window.rolectl, data),
    [scenarios.toString(), input(server.url, session)],
  );
  await page.close();
  await check(out, session);
  assert.deepEqual(pageErrors, []);
});
