// The failover test (`npm run test:ha`): a cluster of its own (deploy/ha/), so none of the
// default run's database set-up, and minutes rather than seconds per test.
import base from './jest.config.js';

const { globalSetup, globalTeardown, ...shared } = base;

export default { ...shared, testMatch: ['<rootDir>/test/ha/*.ha-spec.ts'], testTimeout: 300_000 };
