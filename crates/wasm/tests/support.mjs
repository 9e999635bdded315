// Helpers for the npm package's tests: the packed package as installed into
// an empty project (scripts/test-npm.sh), the moto peers, IAM setup through
// moto's API, and moto's request recording. A peer that is not there fails
// the test; nothing is skipped.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The directory of the empty project the tarball was installed into. */
export function installDir() {
  const dir = process.env.ROLECTL_INSTALL_DIR;
  if (!dir) {
    throw new Error('ROLECTL_INSTALL_DIR is not set: run these tests through scripts/test-npm.sh, which packs and installs the package');
  }
  return dir;
}

/** The installed package's directory (node_modules/rolectl). */
export function packageDir() {
  return join(installDir(), 'node_modules', 'rolectl');
}

/** Imports `rolectl` as the installed project resolves it (Node conditions). */
export async function importRolectl() {
  const require = createRequire(join(installDir(), 'package.json'));
  const entry = require.resolve('rolectl');
  return import(pathToFileURL(entry).href);
}

/** Imports `rolectl/resolve` as the installed project resolves it (Node conditions). */
export async function importRolectlResolve() {
  const require = createRequire(join(installDir(), 'package.json'));
  const entry = require.resolve('rolectl/resolve');
  return import(pathToFileURL(entry).href);
}

export function peerUrl(name) {
  const url = process.env[name];
  if (!url) {
    throw new Error(`${name} is not set: run the tests through scripts/test.sh, which starts the moto peers (or eval "$(scripts/peers.sh start)")`);
  }
  return url.replace(/\/$/, '');
}

export const ACCOUNT = '123456789012';

export function uniqueSuffix() {
  return `${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Opens (`inf`) or closes (`0`) moto's window without auth checks. */
export async function resetAuth(base, count) {
  const response = await fetch(`${base}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: count,
  });
  if (response.status !== 200) {
    throw new Error(`reset-auth ${count}: HTTP ${response.status} ${await response.text()}`);
  }
}

function formEncode(fields) {
  return Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** One signed Query call (IAM or STS) to moto; returns the response text. */
export async function query(rolectl, base, service, fields, credentials) {
  const body = formEncode(fields);
  const signed = rolectl.signRequest({
    method: 'POST',
    url: `${base}/`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    credentials,
    region: 'us-east-1',
    service,
  });
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, text: await response.text() };
}

export function tag(xml, name) {
  const match = xml.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  if (!match) throw new Error(`no <${name}> in ${xml}`);
  return match[1];
}

const SETUP = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'setup-secret' };

export async function iam(rolectl, base, action, params) {
  const { status, text } = await query(rolectl, base, 'iam', { Action: action, Version: '2010-05-08', ...params }, SETUP);
  if (status !== 200) throw new Error(`IAM ${action}: HTTP ${status} ${text}`);
  return text;
}

export const ALLOW_STS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }],
});

export function trust(principal, action = 'sts:AssumeRole') {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: action }],
  });
}

export async function createUser(rolectl, base, name) {
  const created = await iam(rolectl, base, 'CreateUser', { UserName: name });
  const key = await iam(rolectl, base, 'CreateAccessKey', { UserName: name });
  await iam(rolectl, base, 'PutUserPolicy', { UserName: name, PolicyName: 'allow-sts', PolicyDocument: ALLOW_STS });
  return {
    arn: tag(created, 'Arn'),
    accessKeyId: tag(key, 'AccessKeyId'),
    secretAccessKey: tag(key, 'SecretAccessKey'),
  };
}

export async function createRole(rolectl, base, name, trustPolicy) {
  const created = await iam(rolectl, base, 'CreateRole', { RoleName: name, AssumeRolePolicyDocument: trustPolicy });
  await iam(rolectl, base, 'PutRolePolicy', { RoleName: name, PolicyName: 'allow-sts', PolicyDocument: ALLOW_STS });
  return tag(created, 'Arn');
}

/** Runs `setup` inside moto's auth window, closing it whatever happens. */
export async function inAuthWindow(base, setup) {
  await resetAuth(base, 'inf');
  try {
    return await setup();
  } finally {
    await resetAuth(base, '0');
  }
}

/** Every request moto recorded, bodies decoded. */
export async function recording(base) {
  const response = await fetch(`${base}/moto-api/recorder/download-recording`);
  if (response.status !== 200) throw new Error(`download-recording: HTTP ${response.status}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    })
    .filter(Boolean)
    .map((entry) => ({
      headers: entry.headers ?? {},
      body: entry.body_encoded ? Buffer.from(entry.body ?? '', 'base64').toString('utf8') : (entry.body ?? ''),
    }));
}

/** GetCallerIdentity with `credentials`, signed by the package; the ARN. */
export async function callerArn(rolectl, base, credentials) {
  const { status, text } = await query(rolectl, base, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, credentials);
  if (status !== 200) throw new Error(`GetCallerIdentity: HTTP ${status} ${text}`);
  return tag(text, 'Arn');
}

/** The fenced code blocks of a markdown text with the given info string. */
export function codeBlocks(markdown, info) {
  const blocks = [];
  const re = new RegExp('^```' + info + '\\n([\\s\\S]*?)^```$', 'gm');
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push(m[1]);
  return blocks;
}
