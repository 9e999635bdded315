// Browser (and bundler) entry: fetches and instantiates the WebAssembly
// module next to this file once (top-level await), then re-exports the API.
// For control over where the .wasm comes from, import 'rolectl/web' and
// call its default export (init) yourself.
import init from './web/rolectl.js';

await init({ module_or_path: new URL('./web/rolectl_bg.wasm', import.meta.url) });

export {
  version,
  parseConfig,
  lint,
  explain,
  resolveCredentials,
  signRequest,
  presignUrl,
} from './web/rolectl.js';
