import { describe, expect, it } from '@jest/globals';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { renderError } from './http-errors.js';

const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('renderError for a database that went away', () => {
  // The shapes pg and TypeORM threw while the outage test stopped and restarted PostgreSQL under load.
  it.each([
    ['a session killed by the shutdown', new QueryFailedError('SELECT 1', [], pgError('terminating connection due to administrator command', '57P01'))],
    ['a server that is shutting down', pgError('the database system is shutting down', '57P03')],
    ['a server that is starting up', pgError('the database system is starting up', '57P03')],
    ['a connection cut mid-query', new QueryFailedError('SELECT 1', [], pgError('Connection terminated unexpectedly'))],
    ['a reset socket', pgError('read ECONNRESET', 'ECONNRESET')],
    ['a refused reconnect', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a pool that timed out connecting', pgError('timeout exceeded when trying to connect')],
    ['a client that timed out connecting', pgError('Connection terminated due to connection timeout')],
    ['a transaction whose connection was released under it', new QueryRunnerProviderAlreadyReleasedError()],
    ['a query runner released under it', new QueryRunnerAlreadyReleasedError()],
    // What a failover of a replicated cluster adds (deploy/ha/).
    ['a write that reached a primary demoted to standby', new QueryFailedError('UPDATE', [], pgError('cannot execute UPDATE in a read-only transaction', '25006'))],
  ])('answers 503 {detail} with Retry-After to %s', (_name, error) => {
    expect(renderError(error)).toEqual({
      status: 503,
      body: { detail: expect.any(String) },
      headers: { 'Retry-After': '1' },
      unexpected: false,
    });
  });

  it('still answers 500, without the message, to a database error that is a bug', () => {
    const rendered = renderError(new QueryFailedError('INSERT', [], pgError('duplicate key value violates unique constraint "users_email"', '23505')));
    expect(rendered).toMatchObject({ status: 500, body: { detail: 'Internal server error' }, unexpected: true });
  });
});
