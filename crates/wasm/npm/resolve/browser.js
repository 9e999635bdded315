// Browser (and bundler) entry of `rolectl/resolve`: fetches and
// instantiates the smaller WebAssembly module (no parseConfig, lint or
// explain) next to this package once (top-level await), then re-exports
// the API. For control over where the .wasm comes from, import
// 'rolectl/resolve/web' and call its default export (init) yourself.
import init from '../web/rolectl_resolve.js';

await init({ module_or_path: new URL('../web/rolectl_resolve_bg.wasm', import.meta.url) });

export { version, resolveCredentials, signRequest, presignUrl } from '../web/rolectl_resolve.js';
