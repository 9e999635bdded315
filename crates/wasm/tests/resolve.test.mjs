// resolveCredentials of the packed package against moto_server with SigV4
// and IAM checks on (ROLECTL_MOTO_URL), and against the moto without auth
// for AssumeRoleWithWebIdentity (ROLECTL_MOTO_NOAUTH_URL).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  ACCOUNT, callerArn, createRole, createUser, importRolectl, inAuthWindow, peerUrl, recording, trust, uniqueSuffix,
} from './support.mjs';

const rolectl = await importRolectl();
const moto = peerUrl('ROLECTL_MOTO_URL');
const noauth = peerUrl('ROLECTL_MOTO_NOAUTH_URL');
const suffix = uniqueSuffix();
let f; // the fixture

before(async () => {
  f = await inAuthWindow(moto, async () => {
    const user1 = await createUser(rolectl, moto, `user1-${suffix}`);
    const trusted = trust(user1.arn);
    return {
      user1,
      marketing: await createRole(rolectl, moto, `marketingadminrole-${suffix}`, trusted),
      mfa: await createRole(rolectl, moto, `mfarole-${suffix}`, trusted),
      cached: await createRole(rolectl, moto, `cachedrole-${suffix}`, trusted),
      denied: await createRole(rolectl, moto, `deniedrole-${suffix}`, trust(`arn:aws:iam::${ACCOUNT}:user/nobody-${suffix}`)),
    };
  });
});

/** The AWS CLI user guide's role example, with this run's role ARNs. */
function config() {
  return `[default]
region = us-east-1

[profile marketingadmin]
role_arn = ${f.marketing}
source_profile = user1
role_session_name = marketing-${suffix}

[profile mfaadmin]
role_arn = ${f.mfa}
source_profile = user1
mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/user1-${suffix}
role_session_name = mfa-${suffix}

[profile cachedadmin]
role_arn = ${f.cached}
source_profile = user1
role_session_name = cached-${suffix}

[profile denied]
role_arn = ${f.denied}
source_profile = user1

[profile web]
role_arn = arn:aws:iam::${ACCOUNT}:role/web-${suffix}
web_identity_token_file = /var/run/secrets/token-${suffix}
role_session_name = web-${suffix}
`;
}

function credentials() {
  return `[user1]
aws_access_key_id = ${f.user1.accessKeyId}
aws_secret_access_key = ${f.user1.secretAccessKey}
`;
}

const env = () => ({ AWS_ENDPOINT_URL_STS: moto });

function stsCalls(records, roleArn) {
  const encoded = `RoleArn=${encodeURIComponent(roleArn)}`;
  return records.filter((r) => r.body.includes('Action=AssumeRole') && r.body.includes(encoded));
}

test('marketingadmin: the source_profile chain assumes the role, signed as moto checks', async () => {
  const c = await rolectl.resolveCredentials({
    profile: 'marketingadmin', configText: config(), credentialsText: credentials(), env: env(),
  });
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/marketingadminrole-${suffix}/marketing-${suffix}`;
  assert.equal(c.arn, arn);
  assert.equal(c.accountId, ACCOUNT);
  assert.match(c.accessKeyId, /^ASIA/);
  assert.ok(c.secretAccessKey.length > 10 && c.sessionToken.length > 10);
  assert.ok(c.expiration instanceof Date && c.expiration > new Date());
  assert.equal(c.fromCache, false);
  // The credentials work: GetCallerIdentity signed with them names the session.
  assert.equal(await callerArn(rolectl, moto, c), arn);
  // The call moto saw came from user1's key.
  const [call] = stsCalls(await recording(moto), f.marketing);
  assert.ok(call, 'the AssumeRole call is in moto\'s recording');
  assert.match(call.headers.Authorization ?? call.headers.authorization, new RegExp(`Credential=${f.user1.accessKeyId}/`));
});

test('mfaadmin: the MFA provider is called once, with the serial, and the code is sent', async () => {
  const serials = [];
  const c = await rolectl.resolveCredentials({
    profile: 'mfaadmin', configText: config(), credentialsText: credentials(), env: env(),
    mfaCodeProvider: async (serial) => { serials.push(serial); return '123456'; },
  });
  assert.deepEqual(serials, [`arn:aws:iam::${ACCOUNT}:mfa/user1-${suffix}`]);
  assert.equal(c.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/mfarole-${suffix}/mfa-${suffix}`);
  const [call] = stsCalls(await recording(moto), f.mfa);
  const sent = new URLSearchParams(call.body);
  assert.equal(sent.get('TokenCode'), '123456');
  assert.equal(sent.get('SerialNumber'), serials[0]);
});

test('cache: the second call is answered from the cache object, with no STS request', async () => {
  const cache = new Map();
  const sets = [];
  const store = { get: (k) => cache.get(k), set: (k, v) => { sets.push(k); cache.set(k, v); } };
  const options = { profile: 'cachedadmin', configText: config(), credentialsText: credentials(), env: env(), cache: store };
  const first = await rolectl.resolveCredentials(options);
  assert.equal(first.fromCache, false);
  assert.equal(sets.length, 1);
  assert.match(sets[0], /^[0-9a-f]{40}$/);
  const entry = JSON.parse(cache.get(sets[0]));
  assert.equal(entry.Credentials.AccessKeyId, first.accessKeyId);
  assert.equal(stsCalls(await recording(moto), f.cached).length, 1);

  const second = await rolectl.resolveCredentials(options);
  assert.equal(second.fromCache, true);
  assert.equal(second.accessKeyId, first.accessKeyId);
  assert.equal(second.arn, first.arn);
  assert.equal(stsCalls(await recording(moto), f.cached).length, 1, 'no second AssumeRole in moto\'s recording');
});

test('cache: a get that rejects or gives a number is a miss that warns why', async () => {
  const answers = [
    [{ get: async () => { throw new Error('disk on fire'); }, set: () => {} }, /is unusable, because the cache's get failed: .*disk on fire/],
    [{ get: () => 42, set: () => {} }, /is unusable, because the cache's get gave number, not a string or an object/],
  ];
  for (const [cache, why] of answers) {
    const before = stsCalls(await recording(moto), f.cached).length;
    const c = await rolectl.resolveCredentials({
      profile: 'cachedadmin', configText: config(), credentialsText: credentials(), env: env(), cache,
    });
    assert.equal(c.fromCache, false);
    assert.equal(stsCalls(await recording(moto), f.cached).length, before + 1, 'STS was called');
    assert.equal(c.warnings.filter((w) => why.test(w)).length, 1, `${c.warnings}`);
  }
});

test('web identity: the token is read with readFile and sent unsigned', async () => {
  const paths = [];
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln';
  const c = await rolectl.resolveCredentials({
    profile: 'web', configText: config(), env: { AWS_ENDPOINT_URL_STS: noauth },
    readFile: async (path) => { paths.push(path); return token; },
  });
  assert.deepEqual(paths, [`/var/run/secrets/token-${suffix}`]);
  assert.equal(c.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/web-${suffix}/web-${suffix}`);
  const call = (await recording(noauth)).find((r) => r.body.includes(`RoleSessionName=web-${suffix}`));
  assert.ok(call, 'the call is in moto\'s recording');
  const sent = new URLSearchParams(call.body);
  assert.equal(sent.get('Action'), 'AssumeRoleWithWebIdentity');
  assert.equal(sent.get('WebIdentityToken'), token);
  assert.equal(call.headers.Authorization ?? call.headers.authorization, undefined);
});

test('AccessDenied: rejected with the STS code and the AWS CLI\'s message', async () => {
  const error = await rolectl.resolveCredentials({
    profile: 'denied', configText: config(), credentialsText: credentials(), env: env(),
  }).then(() => assert.fail('resolved'), (e) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.code, 'AccessDenied');
  assert.equal(error.operation, 'AssumeRole');
  assert.equal(error.profile, 'denied');
  assert.match(error.message, /^An error occurred \(AccessDenied\) when calling the AssumeRole operation: /);
  assert.ok(error.message.includes(f.user1.arn), error.message);
  assert.ok(!error.message.includes(f.user1.secretAccessKey));
});

test('a profile that is not in the files is ProfileNotFound, as the AWS CLI words it', async () => {
  const error = await rolectl.resolveCredentials({ profile: 'nope', configText: config() }).catch((e) => e);
  assert.equal(error.code, 'ProfileNotFound');
  assert.equal(error.message, 'The config profile (nope) could not be found');
});

test('keychain: a source profile without keys in the files gets them from keychainKeys', async () => {
  const asked = [];
  const configText = `${config()}
[profile keychained]
role_arn = ${f.marketing}
source_profile = vault
role_session_name = keychain-${suffix}

[profile vault]
region = us-east-1
`;
  const c = await rolectl.resolveCredentials({
    profile: 'keychained', configText, credentialsText: '', env: env(),
    keychainProfiles: { vault: f.user1.accessKeyId },
    keychainKeys: async (profile) => {
      asked.push(profile);
      return { accessKeyId: f.user1.accessKeyId, secretAccessKey: f.user1.secretAccessKey };
    },
  });
  assert.deepEqual(asked, ['vault']);
  assert.equal(c.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/marketingadminrole-${suffix}/keychain-${suffix}`);
  const calls = stsCalls(await recording(moto), f.marketing).filter((r) => r.body.includes(`keychain-${suffix}`));
  assert.equal(calls.length, 1);
  assert.match(calls[0].headers.Authorization ?? calls[0].headers.authorization, new RegExp(`Credential=${f.user1.accessKeyId}/`));
  // A keychain that holds nothing for it: the error says how to add the keys.
  await assert.rejects(
    rolectl.resolveCredentials({
      profile: 'keychained', configText: `${configText}rolectl_keychain = true\n`, credentialsText: '', env: env(),
      keychainProfiles: {}, keychainKeys: async () => null,
    }),
    /rolectl keys add vault/,
  );
});

test('mfa_process: the code comes from runProcess, trimmed, and reaches STS', async () => {
  const commands = [];
  const configText = `${config()}
[profile mfaprocess]
role_arn = ${f.mfa}
source_profile = user1
mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/user1-${suffix}
mfa_process = otp-cli show aws
role_session_name = mfaprocess-${suffix}
`;
  await rolectl.resolveCredentials({
    profile: 'mfaprocess', configText, credentialsText: credentials(), env: env(),
    runProcess: async (command) => { commands.push(command); return { status: 0, stdout: ' 654321\n' }; },
  });
  assert.deepEqual(commands, ['otp-cli show aws']);
  const [call] = stsCalls(await recording(moto), f.mfa).filter((r) => r.body.includes(`mfaprocess-${suffix}`));
  assert.equal(new URLSearchParams(call.body).get('TokenCode'), '654321');
});
