import { Init1795929362551 } from './1795929362551-Init.js';
import { TokenCacheInvalidation1795929733224 } from './1795929733224-TokenCacheInvalidation.js';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests load the same set. */
export const migrations = [Init1795929362551, TokenCacheInvalidation1795929733224];
