import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring, under the token endpoint's load, marks an allocation site
 * that runs once a request as long-lived (`--trace-pretenuring-statistics`: every object it
 * made since the last scavenge still alive, so "tenure") and from then on allocates its
 * objects straight into the old generation. They die with the request, but only a full GC
 * frees them, and the young objects they point to are kept through scavenges and promoted
 * with them: old space grew by about 9 KB a request until the next full GC, and the server's
 * peak RSS through `npm run bench` was 220–280 MB of which some 45 MB was live. Without
 * pretenuring, old space stays flat under the same load (peak RSS 163 MB) at the same
 * throughput. This is imported first, before anything allocates.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
