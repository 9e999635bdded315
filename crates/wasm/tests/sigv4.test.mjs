// signRequest and presignUrl against the JS SDK's signer,
// @smithy/signature-v4: the same signatures wherever the two normalize a
// path alike, and the documented difference for a path ending in a dot
// segment (crates/sigv4/COMPATIBILITY.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

import { importRolectl } from './support.mjs';

const rolectl = await importRolectl();

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const date = new Date('2015-08-30T12:36:00Z');
// applyChecksum: false: the SDK signs x-amz-content-sha256 only for S3 and
// when asked; rolectl (like botocore) does not add it for other services.
const smithy = new SignatureV4({ credentials, region: 'us-east-1', service: 'service', sha256: Sha256, applyChecksum: false });

/** [path sent, rolectl (RFC 3986, aws-sigv4), botocore and @smithy/signature-v4] */
const CASES = [
  ['/a/.', '/a/', '/a'],
  ['/a/b/..', '/a/', '/a'],
  ['/a/..', '/', '/'],
  ['/./a', '/a', '/a'],
  ['/a//b', '/a/b', '/a/b'],
  ['/a/./b/', '/a/b/', '/a/b/'],
];

function ours(path) {
  return rolectl.signRequest({
    url: `https://example.amazonaws.com${path}`, credentials, region: 'us-east-1', service: 'service', date,
  });
}

async function theirs(path) {
  const request = {
    method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path, query: {},
    headers: { host: 'example.amazonaws.com' },
  };
  const signed = await smithy.sign(request, { signingDate: date });
  return signed.headers.authorization.match(/Signature=([0-9a-f]{64})/)[1];
}

test('dot segments: rolectl signs RFC 3986\'s path, @smithy/signature-v4 botocore\'s', async () => {
  for (const [path, rfc, botocore] of CASES) {
    assert.equal(ours(path).canonicalRequest.split('\n')[1], rfc, `rolectl, ${path}`);
    const smithyPath = smithy.getCanonicalPath({ path });
    assert.equal(smithyPath, botocore, `@smithy/signature-v4, ${path}`);
    // Same canonical path, same signature; a different path, another one.
    const same = (await theirs(path)) === ours(path).signature;
    assert.equal(same, rfc === botocore, `signatures for ${path}`);
    // Sending botocore's path gives every signer's signature.
    assert.equal(ours(botocore).signature, await theirs(botocore), `normalized ${botocore}`);
  }
});

test('an STS request is signed exactly as @smithy/signature-v4 signs it', async () => {
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const withToken = { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE/token+=' };
  const signed = rolectl.signRequest({
    method: 'POST', url: 'https://sts.us-east-1.amazonaws.com/', headers, body, credentials: withToken,
    region: 'us-east-1', service: 'sts', date,
  });
  const sts = new SignatureV4({ credentials: withToken, region: 'us-east-1', service: 'sts', sha256: Sha256, applyChecksum: false });
  const reference = await sts.sign({
    method: 'POST', protocol: 'https:', hostname: 'sts.us-east-1.amazonaws.com', path: '/', query: {},
    headers: { ...headers, host: 'sts.us-east-1.amazonaws.com' }, body,
  }, { signingDate: date });
  assert.equal(signed.headers['x-amz-date'], '20150830T123600Z');
  assert.equal(signed.headers['x-amz-security-token'], withToken.sessionToken);
  assert.equal(signed.signature, reference.headers.authorization.match(/Signature=(\w+)/)[1]);
  assert.ok(!signed.canonicalRequest.includes(withToken.sessionToken), 'the token is redacted');
});

test('presignUrl gives the signature @smithy/signature-v4 presigns', async () => {
  const url = rolectl.presignUrl({
    url: 'https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15',
    credentials, region: 'us-east-1', service: 'sts', date, expiresIn: 60,
  });
  const parsed = new URL(url);
  assert.equal(parsed.searchParams.get('X-Amz-Expires'), '60');
  assert.equal(parsed.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request');
  const sts = new SignatureV4({ credentials, region: 'us-east-1', service: 'sts', sha256: Sha256, applyChecksum: false });
  const reference = await sts.presign({
    method: 'GET', protocol: 'https:', hostname: 'sts.amazonaws.com', path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'sts.amazonaws.com' },
  }, { signingDate: date, expiresIn: 60 });
  assert.equal(parsed.searchParams.get('X-Amz-Signature'), reference.query['X-Amz-Signature']);
  assert.throws(() => rolectl.presignUrl({ url: 'https://x.amazonaws.com/', credentials, region: 'r', service: 's', expiresIn: 604_801 }),
    (e) => e.code === 'InvalidArgument' && /1 to 604800/.test(e.message));
});
