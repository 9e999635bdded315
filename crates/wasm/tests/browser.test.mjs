// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// loads the browser build of the installed package: the example page in
// examples/web/ and the README's browser example, each served on 127.0.0.1
// with STS calls passed on to moto from the same origin.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer } from '../../../examples/web/serve.mjs';
import {
  ACCOUNT, codeBlocks, createRole, createUser, importRolectl, inAuthWindow, installDir, packageDir, peerUrl, recording, trust, uniqueSuffix,
} from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, '..', '..', '..', 'examples', 'web');
const rolectl = await importRolectl();
const moto = peerUrl('ROLECTL_MOTO_URL');
const suffix = uniqueSuffix();
let fixture;
let server;
let browser;
let profileDir;
const pageErrors = [];

before(async () => {
  fixture = await inAuthWindow(moto, async () => {
    const user = await createUser(rolectl, moto, `browser-${suffix}`);
    return { user, role: await createRole(rolectl, moto, `marketingadminrole-${suffix}`, trust(user.arn)) };
  });
  const readmeDir = await mkdtemp(join(tmpdir(), 'rolectl-readme-web-'));
  const readme = await readFile(join(packageDir(), 'README.md'), 'utf8');
  const [snippet] = codeBlocks(readme, 'html');
  assert.ok(snippet?.includes('rolectl/browser.js'), 'the README has a browser example');
  await writeFile(join(readmeDir, 'index.html'), `<!doctype html><meta charset="utf-8">\n${snippet}`);
  server = await startServer({
    mounts: {
      '/': example,
      '/rolectl/': packageDir(),
      '/readme/': readmeDir,
      '/readme/node_modules/': join(installDir(), 'node_modules'),
    },
    sts: moto,
  });
  profileDir = await mkdtemp(join(tmpdir(), 'rolectl-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
  browser = context;
  context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

function files(endpoint) {
  const config = `[default]
region = us-east-1 # the main region

[profile marketingadmin]
role_arn = ${fixture.role}
source_profile = user1
role_session_name = browser-${suffix}
${endpoint ? `endpoint_url = ${endpoint}\n` : ''}`;
  const credentials = `[user1]
aws_access_key_id = ${fixture.user.accessKeyId}
aws_secret_access_key = ${fixture.user.secretAccessKey}
`;
  return { config, credentials };
}

const expectedArn = () => `arn:aws:sts::${ACCOUNT}:assumed-role/marketingadminrole-${suffix}/browser-${suffix}`;

test('examples/web: lint findings and the chain of a typed config, then the assumed-role ARN', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const { config, credentials } = files();
  await page.locator('#config').pressSequentially(config.slice(0, 40));
  await page.locator('#config').fill(config);
  await page.locator('#credentials').fill(credentials);
  await page.locator('#profile').fill('marketingadmin');

  const lint = await page.locator('#lint').innerText();
  assert.match(lint, /config:2:20: warning\[inline-comment\]/);
  const chain = await page.locator('#chain li').allInnerTexts();
  assert.equal(chain.length, 2, chain.join('\n'));
  assert.match(chain[0], /AKIA|static keys|user1/i);
  assert.match(chain[1], new RegExp(`AssumeRole ${fixture.role.replace(/[/]/g, '\\/')}`));
  assert.match(chain[1], /config:5:1/);
  assert.match(await page.locator('#chain-head').innerText(), new RegExp(`STS calls go to ${server.url}`));

  const before = (await recording(moto)).length;
  await page.locator('#resolve').click();
  await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
  assert.equal(await page.locator('#error').innerText(), '');
  assert.equal(await page.locator('#arn').innerText(), expectedArn());
  const calls = (await recording(moto)).slice(before).filter((r) => r.body.includes('Action=AssumeRole'));
  assert.equal(calls.length, 1, 'the page\'s AssumeRole reached moto through the same-origin server');

  // Again: the sessionStorage cache answers, no STS call.
  await page.locator('#resolve').click();
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'from the cache', null, { timeout: 30_000 });
  assert.equal(await page.locator('#arn').innerText(), expectedArn());
  assert.match((await page.locator('#chain li').allInnerTexts())[1], /\[cache: fresh\]/);

  // Straight to moto, another origin without CORS headers: the browser
  // refuses, and the error says why that may be.
  const direct = files(moto);
  await page.locator('#via-server').uncheck();
  await page.locator('#config').fill(direct.config.replace(`role_session_name = browser-${suffix}`, 'role_session_name = direct'));
  await page.locator('#resolve').click();
  await page.waitForSelector('#status[data-state="error"]', { timeout: 30_000 });
  const error = await page.locator('#error').innerText();
  assert.match(error, /^Transport: /);
  assert.match(error, /cross-origin refusal.*CORS/);
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('the README\'s browser example resolves marketingadmin', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/readme/`);
  const { config, credentials } = files(server.url);
  await page.locator('#config').fill(config);
  await page.locator('#credentials').fill(credentials);
  await page.locator('#resolve').click();
  await page.waitForFunction(() => document.querySelector('#out').textContent !== '', null, { timeout: 30_000 });
  const out = await page.locator('#out').innerText();
  assert.match(out, new RegExp(`^${expectedArn().replace(/[/]/g, '\\/')} until \\d{4}-`));
  await page.close();
  assert.deepEqual(pageErrors, []);
});
