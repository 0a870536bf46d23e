import { Init1795929362551 } from './1795929362551-Init.js';
import { TokenCacheInvalidation1795929733224 } from './1795929733224-TokenCacheInvalidation.js';
import { WebhookDeliveries1795929802980 } from './1795929802980-WebhookDeliveries.js';
import { UsedJwtIds1795930094041 } from './1795930094041-UsedJwtIds.js';
import { AuditLog1796161101350 } from './1796161101350-AuditLog.js';
import { SealedRetryAnswers1796162941302 } from './1796162941302-SealedRetryAnswers.js';
import { SentryAppFields1796162941303 } from './1796162941303-SentryAppFields.js';
import { ConsoleSessions1796163500000 } from './1796163500000-ConsoleSessions.js';
import { ClientIdExact1796163600000 } from './1796163600000-ClientIdExact.js';
import { HotUpdates1796170000000 } from './1796170000000-HotUpdates.js';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests load the same set. */
export const migrations = [
  Init1795929362551, TokenCacheInvalidation1795929733224, WebhookDeliveries1795929802980, UsedJwtIds1795930094041, AuditLog1796161101350,
  SealedRetryAnswers1796162941302, SentryAppFields1796162941303, ConsoleSessions1796163500000, ClientIdExact1796163600000, HotUpdates1796170000000,
];
