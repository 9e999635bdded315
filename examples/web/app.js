// The example page: parseConfig, lint and explain on every edit;
// resolveCredentials on a click, with the credentials kept in
// sessionStorage in the AWS CLI's cache format.
import { explain, lint, parseConfig, resolveCredentials } from './rolectl/browser.js';

const $ = (id) => document.getElementById(id);
const item = (text, className) => {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
};

const cache = {
  get: (key) => sessionStorage.getItem(`rolectl:${key}`),
  set: (key, entry) => sessionStorage.setItem(`rolectl:${key}`, entry),
};

/** `file:line:column` of a location (an object, or already text). */
const where = (l) => (!l ? '' : typeof l === 'string' ? l : `${l.file}:${l.line}:${l.column}`);

function files() {
  return { configText: $('config').value, credentialsText: $('credentials').value || undefined };
}

function env() {
  // Through the page's own server (same origin), or the profile's endpoint.
  return $('via-server').checked ? { AWS_ENDPOINT_URL_STS: location.origin } : {};
}

function update() {
  const { configText, credentialsText } = files();
  const findings = lint(configText, credentialsText);
  $('lint').replaceChildren(...findings.map((f) =>
    item(`${f.file}:${f.line}:${f.column}: ${f.severity}[${f.code}]: ${f.message}`, f.severity)));
  if (findings.length === 0) $('lint').replaceChildren(item('no findings'));
  try {
    const parsed = parseConfig(configText, credentialsText);
    $('profiles').replaceChildren(...Object.keys(parsed.profiles).map((name) => {
      const option = document.createElement('option');
      option.value = name;
      return option;
    }));
    const chain = explain({ profile: $('profile').value, ...files(), env: env(), cache });
    const endpoint = typeof chain.endpoint === 'string' ? chain.endpoint : chain.endpoint?.url;
    $('chain-head').textContent = `profile "${chain.profile}": STS calls go to ${endpoint}`;
    $('chain').replaceChildren(...chain.steps.map((s) =>
      item(`${s.description}${s.location ? ` (${where(s.location)})` : ''}${s.cache?.key ? ` [cache: ${s.cache.status}]` : ''}`)));
  } catch (error) {
    $('chain-head').textContent = '';
    $('chain').replaceChildren(item(`${error.code}: ${error.message}`, 'error'));
  }
}

async function resolve() {
  $('status').dataset.state = 'running';
  $('status').textContent = 'resolving...';
  $('error').textContent = '';
  for (const id of ['arn', 'access-key-id', 'expiration']) $(id).textContent = '';
  try {
    const credentials = await resolveCredentials({
      profile: $('profile').value,
      ...files(),
      env: env(),
      cache,
      mfaCodeProvider: async (serial) => prompt(`Enter MFA code for ${serial}:`) ?? '',
      signal: AbortSignal.timeout(30_000),
    });
    $('arn').textContent = credentials.arn ?? '(not a role)';
    $('access-key-id').textContent = credentials.accessKeyId;
    $('expiration').textContent = credentials.expiration?.toISOString() ?? 'never';
    $('status').textContent = credentials.fromCache ? 'from the cache' : 'assumed';
    $('status').dataset.state = 'done';
  } catch (error) {
    $('error').textContent = `${error.code}: ${error.message}`;
    $('status').textContent = 'failed';
    $('status').dataset.state = 'error';
  }
  update();
}

for (const id of ['config', 'credentials', 'profile', 'via-server']) $(id).addEventListener('input', update);
$('resolve').addEventListener('click', resolve);
update();
document.body.dataset.ready = 'true';
