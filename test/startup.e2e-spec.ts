import { describe, expect, it } from '@jest/globals';
import { randomHex } from '../src/common/crypto.js';
import { migrations } from '../src/database/migrations/index.js';
import { admin, createTestApp } from './support/test-app.js';

describe('start-up', () => {
  it('starts two instances at once on an empty database, applying each migration once', async () => {
    const schema = `t_${randomHex(6)}`;
    await admin(`CREATE SCHEMA ${schema}`);
    try {
      const [a, b] = await Promise.all([createTestApp({}, { schema }), createTestApp({}, { schema })]);
      const applied = await a.dataSource.query('SELECT name FROM migrations');
      expect(applied).toHaveLength(migrations.length);
      await a.http().get('/api/0/internal/health/').expect(200);
      await b.http().get('/api/0/internal/health/').expect(200);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await admin(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
