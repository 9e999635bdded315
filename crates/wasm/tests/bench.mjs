// Measures the npm package against the AWS SDK for JavaScript in one run
// (scripts/bench-npm.sh):
// - size: each of rolectl's browser entries (`rolectl`, `rolectl/resolve`)
//   bundled with esbuild (JS) plus its .wasm (after wasm-opt -Oz), gzipped; @aws-sdk/client-sts + fromTemporaryCredentials
//   bundled for the browser with esbuild, gzipped;
// - Node import time of each entry and of the SDK: a fresh `node` per
//   import, the median of several.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = process.argv[2] ?? join(here, '..', 'pkg');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const require = createRequire(import.meta.url);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function bundle(contents, options = {}) {
  const result = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    write: false, logLevel: 'silent', ...options,
  });
  return result.outputFiles[0].contents;
}

const wasm = readFileSync(join(pkg, 'web', 'rolectl_bg.wasm'));
const ours = await bundle(
  `export { parseConfig, lint, explain, resolveCredentials, signRequest, presignUrl } from ${JSON.stringify(join(pkg, 'browser.js'))};`,
);
const resolveWasm = readFileSync(join(pkg, 'web', 'rolectl_resolve_bg.wasm'));
const resolveJs = await bundle(
  `export { resolveCredentials, signRequest, presignUrl } from ${JSON.stringify(join(pkg, 'resolve', 'browser.js'))};`,
);
const sdkProviders = join(dirname(require.resolve('@aws-sdk/credential-providers/package.json')), 'dist-es', 'index.browser.js');
const sdk = await bundle(
  "export { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';\nexport { fromTemporaryCredentials } from '@aws-sdk/credential-providers';",
  { alias: { '@aws-sdk/credential-providers': sdkProviders } },
);

function importTime(specifier) {
  const times = [];
  // One run first, not counted, so that every import reads warm files.
  for (let i = -1; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e',
      `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`], { cwd: here });
    if (i >= 0) times.push(Number(out.toString().trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const oursImport = importTime(pathToFileURL(join(pkg, 'node.js')).href);
const resolveImport = importTime(pathToFileURL(join(pkg, 'resolve', 'node.js')).href);
const sdkImport = importTime(pathToFileURL(require.resolve('@aws-sdk/client-sts')).href);
const sdkBothImport = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'rolectl-bench-'));
  const file = join(dir, 'both.mjs');
  writeFileSync(file, `await import(${JSON.stringify(pathToFileURL(require.resolve('@aws-sdk/client-sts')).href)});\nawait import(${JSON.stringify(pathToFileURL(require.resolve('@aws-sdk/credential-providers')).href)});\n`);
  try {
    return importTime(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const oursTotal = gz(wasm) + gz(ours);
const resolveTotal = gz(resolveWasm) + gz(resolveJs);
const rows = [
  ['rolectl .wasm (wasm-opt -Oz)', kb(wasm.length), kb(gz(wasm))],
  ['rolectl JS (browser entry + glue, esbuild --minify)', kb(ours.length), kb(gz(ours))],
  ['rolectl package total (wasm + JS)', kb(wasm.length + ours.length), kb(oursTotal)],
  ['rolectl/resolve .wasm (wasm-opt -Oz)', kb(resolveWasm.length), kb(gz(resolveWasm))],
  ['rolectl/resolve JS (browser entry + glue, esbuild --minify)', kb(resolveJs.length), kb(gz(resolveJs))],
  ['rolectl/resolve total (wasm + JS)', kb(resolveWasm.length + resolveJs.length), kb(resolveTotal)],
  ['@aws-sdk/client-sts + fromTemporaryCredentials (esbuild, browser)', kb(sdk.length), kb(gz(sdk))],
];
console.log('size                                                              raw        gzipped');
for (const [name, raw, zipped] of rows) console.log(`${name.padEnd(66)}${raw.padStart(10)} ${zipped.padStart(10)}`);
const ratio = (ms) => `${ms.toFixed(1).padStart(7)} ms  (${(ms / sdkBothImport).toFixed(2)} of the SDK's)`;
console.log(`\nNode ${process.version} import time, median of ${runs} fresh processes:`);
console.log(`  rolectl                                             ${ratio(oursImport)}`);
console.log(`  rolectl/resolve                                     ${ratio(resolveImport)}`);
console.log(`  @aws-sdk/client-sts                                 ${ratio(sdkImport)}`);
console.log(`  @aws-sdk/client-sts + @aws-sdk/credential-providers ${ratio(sdkBothImport)}`);
console.log(`\nrolectl's package is ${oursTotal < gz(sdk) ? 'smaller' : 'larger'} than the SDK bundle: ${kb(oursTotal)} against ${kb(gz(sdk))} gzipped (rolectl/resolve: ${kb(resolveTotal)}).`);
