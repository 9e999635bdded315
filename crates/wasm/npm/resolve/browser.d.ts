export { version, resolveCredentials, signRequest, presignUrl } from '../web/rolectl_resolve.js';
export type * from '../web/rolectl_resolve.js';
