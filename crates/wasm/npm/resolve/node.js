// Node entry of `rolectl/resolve`: resolveCredentials, signRequest and
// presignUrl from the smaller WebAssembly module built without parseConfig,
// lint and explain (loaded synchronously from this package).
import { readFileSync } from 'node:fs';
import { initSync } from '../web/rolectl_resolve.js';

initSync({ module: readFileSync(new URL('../web/rolectl_resolve_bg.wasm', import.meta.url)) });

export { version, resolveCredentials, signRequest, presignUrl } from '../web/rolectl_resolve.js';
