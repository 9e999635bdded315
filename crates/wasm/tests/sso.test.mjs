// IAM Identity Center in the npm package: the token comes in through
// `readFile` (at ~/.aws/sso/cache/<sha1 of the session>.json, as the host
// keeps it), GetRoleCredentials goes out through `fetch` with the bearer
// token, and the credentials land in the caller's cache under botocore's key.
// No peer: the portal is a fake `fetch` that checks the token.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { importRolectl } from './support.mjs';

const rolectl = await importRolectl();

const CONFIG = `[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://d-9067000000.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`;
const sha1 = (text) => createHash('sha1').update(text).digest('hex');

test('an SSO profile resolves from the token handed in and the portal behind fetch', async () => {
  const token = 'sso-access-token-from-the-host';
  const expiresAt = new Date(Date.now() + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const paths = [];
  const calls = [];
  const entries = new Map();
  const c = await rolectl.resolveCredentials({
    profile: 'dev',
    configText: CONFIG,
    env: { AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:9' },
    readFile: async (path) => {
      paths.push(path);
      return JSON.stringify({ startUrl: 'https://d-9067000000.awsapps.com/start', region: 'us-east-1', accessToken: token, expiresAt });
    },
    fetch: async (url, init) => {
      const headers = new Headers(init.headers);
      calls.push({ url: String(url), method: init.method, bearer: headers.get('x-amz-sso_bearer_token') });
      if (headers.get('x-amz-sso_bearer_token') !== token) {
        return new Response('{"message":"Session token not found or invalid"}', { status: 401, headers: { 'x-amzn-ErrorType': 'UnauthorizedException' } });
      }
      return new Response(JSON.stringify({ roleCredentials: { accessKeyId: 'ASIAPORTALNPM0000001', secretAccessKey: 's', sessionToken: 't', expiration: Date.now() + 3600e3 } }), { status: 200, headers: { 'content-type': 'application/json' } });
    },
    cache: { get: (k) => entries.get(k), set: (k, v) => { entries.set(k, v); } },
  });
  assert.equal(c.accessKeyId, 'ASIAPORTALNPM0000001');
  assert.deepEqual(paths, [`~/.aws/sso/cache/${sha1('corp')}.json`]);
  assert.deepEqual(calls, [{ url: 'http://127.0.0.1:9/federation/credentials?role_name=ReadOnly&account_id=123456789012', method: 'GET', bearer: token }]);
  const key = sha1(JSON.stringify({ accountId: '123456789012', roleName: 'ReadOnly', sessionName: 'corp' }));
  assert.deepEqual([...entries.keys()], [key]);
  assert.equal(JSON.parse(entries.get(key)).ProviderType, 'sso');
});
