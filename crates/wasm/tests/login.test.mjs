// Console login sessions in the npm package: the session comes in through
// `readFile`, the Sign-In refresh goes out through `fetch` with a DPoP
// proof, and the refreshed session goes back through `writeFile`. No peer:
// Sign-In is a fake `fetch` that verifies the proof with Node's crypto.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { test } from 'node:test';

import { importRolectl } from './support.mjs';

const rolectl = await importRolectl();
const SESSION = 'arn:aws:iam::123456789012:user/alice';
const CONFIG = `[profile console]\nlogin_session = ${SESSION}\nregion = us-east-1\n`;
const b64url = (buf) => Buffer.from(buf).toString('base64url');

test('a login session near its end is refreshed with a DPoP proof and handed back', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const soon = new Date(Date.now() + 120e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const file = {
    accessToken: { accessKeyId: 'ASIAOLD', secretAccessKey: 'old', sessionToken: 'old', accountId: '123456789012', expiresAt: soon },
    tokenType: 'aws_sigv4', refreshToken: 'refresh-1', idToken: 'h.p.s',
    clientId: 'arn:aws:signin:::devtools/same-device',
    dpopKey: privateKey.export({ type: 'sec1', format: 'pem' }), signInRegion: 'us-east-1',
  };
  const written = [];
  const proofs = [];
  const c = await rolectl.resolveCredentials({
    profile: 'console', configText: CONFIG,
    env: { AWS_ENDPOINT_URL_SIGNIN: 'http://127.0.0.1:9' },
    readFile: async (path) => {
      assert.equal(path, `~/.aws/login/cache/${createHash('sha256').update(SESSION).digest('hex')}.json`);
      return JSON.stringify(file);
    },
    writeFile: async (path, text) => { written.push({ path, text }); },
    fetch: async (url, init) => {
      const proof = new Headers(init.headers).get('dpop');
      const [h, p, s] = proof.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url'));
      const payload = JSON.parse(Buffer.from(p, 'base64url'));
      assert.deepEqual(header, { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', x: jwk.x, y: jwk.y, crv: 'P-256' } });
      const key = createPublicKey({ key: header.jwk, format: 'jwk' });
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), 'the proof verifies');
      assert.equal(payload.htm, 'POST');
      assert.equal(payload.htu, 'http://127.0.0.1:9/v1/token');
      assert.equal(String(url), payload.htu);
      assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60);
      assert.match(payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      proofs.push(payload.jti);
      assert.deepEqual(JSON.parse(typeof init.body === 'string' ? init.body : Buffer.from(init.body).toString()), { clientId: file.clientId, refreshToken: 'refresh-1', grantType: 'refresh_token' });
      return new Response(JSON.stringify({ accessToken: { accessKeyId: 'ASIANEW', secretAccessKey: 'new', sessionToken: 'new' }, tokenType: 'aws_sigv4', expiresIn: 900, refreshToken: 'refresh-2' }), { status: 200 });
    },
  });
  assert.equal(c.accessKeyId, 'ASIANEW');
  assert.equal(proofs.length, 1);
  assert.equal(written.length, 1);
  const back = JSON.parse(written[0].text);
  assert.deepEqual(Object.keys(back), Object.keys(file));
  assert.equal(back.accessToken.accessKeyId, 'ASIANEW');
  assert.equal(back.refreshToken, 'refresh-2');
  assert.equal(back.dpopKey, file.dpopKey);
});
