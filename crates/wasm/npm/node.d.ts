export {
  version,
  parseConfig,
  lint,
  explain,
  resolveCredentials,
  signRequest,
  presignUrl,
} from './web/rolectl.js';
export type * from './web/rolectl.js';
