// Node entry: loads the WebAssembly module synchronously from this package
// and re-exports the API (the same module the browser entry loads).
import { readFileSync } from 'node:fs';
import { initSync } from './web/rolectl.js';

initSync({ module: readFileSync(new URL('./web/rolectl_bg.wasm', import.meta.url)) });

export {
  version,
  parseConfig,
  lint,
  explain,
  resolveCredentials,
  signRequest,
  presignUrl,
} from './web/rolectl.js';
