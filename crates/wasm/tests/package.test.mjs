// The package as installed from the tarball: package.json and its exports,
// the TypeScript types of every export and option object (checked with
// tsc), and the README's Node example, run as a user would run it against
// moto.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  ACCOUNT, codeBlocks, createRole, createUser, importRolectl, inAuthWindow, installDir, packageDir, peerUrl, trust, uniqueSuffix,
} from './support.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const rolectl = await importRolectl();
const EXPORTS = ['explain', 'lint', 'parseConfig', 'presignUrl', 'resolveCredentials', 'signRequest', 'version'];


test('package.json: name rolectl, exports for node, browser and types, only the built files', async () => {
  const pkg = JSON.parse(await readFile(join(packageDir(), 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'rolectl');
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  const root = pkg.exports['.'];
  assert.deepEqual(root.node, { types: './node.d.ts', default: './node.js' });
  assert.deepEqual(root.browser, { types: './browser.d.ts', default: './browser.js' });
  assert.equal(pkg.types, './node.d.ts');
  const files = (await readdir(packageDir(), { recursive: true })).sort();
  assert.deepEqual(files, [
    'LICENSE', 'README.md', 'browser.d.ts', 'browser.js', 'node.d.ts', 'node.js', 'package.json',
    'resolve', 'resolve/browser.d.ts', 'resolve/browser.js', 'resolve/node.d.ts', 'resolve/node.js', 'web',
    'web/rolectl.d.ts', 'web/rolectl.js', 'web/rolectl_bg.wasm', 'web/rolectl_bg.wasm.d.ts',
    'web/rolectl_resolve.d.ts', 'web/rolectl_resolve.js', 'web/rolectl_resolve_bg.wasm', 'web/rolectl_resolve_bg.wasm.d.ts',
  ]);
  assert.deepEqual(Object.keys(rolectl).sort(), EXPORTS);
  assert.equal(rolectl.version(), pkg.version);
});

test('the types cover every export and option object of both entries (tsc --strict)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rolectl-types-'));
  const source = `
import { explain, lint, parseConfig, presignUrl, resolveCredentials, signRequest, version } from 'rolectl';
import type { ResolveOptions, ResolvedCredentials, RolectlError, Explanation, LintFinding, ParsedConfig, SignedRequest } from 'rolectl';

const parsed: ParsedConfig = parseConfig('[default]\\n', undefined);
const line: number = parsed.profiles['default'].location.line;
const findings: LintFinding[] = lint('[default]\\n');
const chain: Explanation = explain({ profile: 'dev', configText: '', env: { AWS_REGION: 'us-east-1' } });
const steps: string[] = chain.steps.map((s) => s.description);
const options: ResolveOptions = {
  profile: 'dev', configText: '', credentialsText: '', env: {}, region: 'us-east-1',
  mfaCodeProvider: async (serial: string) => serial.slice(0, 6),
  cache: new Map<string, string>(),
  readFile: async (path: string) => path,
  fetch: (url, init) => fetch(url, init),
  signal: new AbortController().signal,
};
const pending: Promise<ResolvedCredentials> = resolveCredentials(options);
pending.then((c) => c.expiration?.toISOString() + c.accessKeyId + c.sessionToken + c.accountId + c.arn, (e: RolectlError) => e.code);
const signed: SignedRequest = signRequest({ url: 'https://sts.amazonaws.com/', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1', service: 'sts' });
const url: string = presignUrl({ url: 'https://sts.amazonaws.com/', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1', service: 'sts', expiresIn: 60 });
const v: string = version();
// @ts-expect-error: profile is a string
resolveCredentials({ profile: 5 });
// @ts-expect-error: the MFA provider takes the serial and returns the code
resolveCredentials({ mfaCodeProvider: (n: number) => n });
export { line, findings, steps, signed, url, v };
`;
  // The resolve entry: the same types for what it has, nothing else.
  const resolveSource = `
import { presignUrl, resolveCredentials, signRequest, version } from 'rolectl/resolve';
import type { ResolveOptions, ResolvedCredentials, RolectlError, SignedRequest } from 'rolectl/resolve';
// @ts-expect-error: rolectl/resolve has no lint
import { lint } from 'rolectl/resolve';
// @ts-expect-error: rolectl/resolve has no explain
import { explain } from 'rolectl/resolve';
const options: ResolveOptions = { profile: 'dev', configText: '', cache: new Map<string, string>(), readFile: async (path: string) => path };
const pending: Promise<ResolvedCredentials> = resolveCredentials(options);
pending.catch((e: RolectlError) => e.code);
const signed: SignedRequest = signRequest({ url: 'https://sts.amazonaws.com/', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1', service: 'sts' });
const url: string = presignUrl({ url: 'https://sts.amazonaws.com/', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1', service: 'sts' });
// @ts-expect-error: profile is a string
resolveCredentials({ profile: 5 });
export { signed, url, lint, explain, version };
`;
  await writeFile(join(dir, 'check-resolve.ts'), resolveSource);
  await writeFile(join(dir, 'check.ts'), source);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
      lib: ['es2022', 'dom'], types: [], typeRoots: [join(installDir(), 'node_modules')],
      baseUrl: dir, paths: { rolectl: [join(packageDir(), 'node.d.ts')], 'rolectl/resolve': [join(packageDir(), 'resolve', 'node.d.ts')] },
    },
    files: ['check.ts', 'check-resolve.ts'],
  }));
  const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  const { stdout } = await run(process.execPath, [tsc, '-p', dir]).catch((e) => {
    assert.fail(`tsc found type errors:\n${e.stdout}${e.stderr}`);
  });
  assert.equal(stdout.trim(), '');
});

test('the README\'s Node example resolves marketingadmin against moto', async () => {
  const moto = peerUrl('ROLECTL_MOTO_URL');
  const suffix = uniqueSuffix();
  const { user, role } = await inAuthWindow(moto, async () => {
    const user = await createUser(rolectl, moto, `readme-${suffix}`);
    return { user, role: await createRole(rolectl, moto, `marketingadminrole-${suffix}`, trust(user.arn)) };
  });
  const readme = await readFile(join(packageDir(), 'README.md'), 'utf8');
  const [example] = codeBlocks(readme, 'js');
  assert.ok(example?.includes("from 'rolectl'"), 'the README has a Node example');
  const dir = installDir();
  const file = join(dir, `readme-node-${suffix}.mjs`);
  await writeFile(file, example);
  const aws = await mkdtemp(join(tmpdir(), 'rolectl-readme-'));
  await writeFile(join(aws, 'config'), `[profile marketingadmin]\nrole_arn = ${role}\nsource_profile = user1\nrole_session_name = readme-${suffix}\n`);
  await writeFile(join(aws, 'credentials'), `[user1]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`);
  const { stdout } = await run(process.execPath, [file], {
    cwd: dir,
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      HOME: aws,
      AWS_CONFIG_FILE: join(aws, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials'),
      AWS_ENDPOINT_URL_STS: moto,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  const out = JSON.parse(stdout);
  assert.equal(out.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/marketingadminrole-${suffix}/readme-${suffix}`);
  assert.ok(new Date(out.expiration) > new Date());
});
