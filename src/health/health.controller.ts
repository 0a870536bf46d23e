import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permission.guard.js';

class HealthBody {
  @ApiProperty({ example: true })
  ok: boolean;

  @ApiProperty({ enum: ['up', 'down'] })
  db: 'up' | 'down';
}

const PING_TIMEOUT_MS = 2000;

/**
 * Terminus checks that the database answers and takes writes: behind a failover proxy, "down"
 * while no primary is reachable. The answer keeps the contract's small body rather than Terminus' own.
 */
@ApiTags('health')
@Controller('internal/health')
export class HealthController {
  // Terminus' own logger is off: it cannot know the request, and this line carries its id.
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Permission('health.check')
  @ApiOperation({ summary: 'Liveness and database reachability', security: [] })
  @ApiOkResponse({ type: HealthBody, description: '`{"ok": true, "db": "up"}`' })
  @ApiServiceUnavailableResponse({ type: HealthBody, description: '`{"ok": false, "db": "down"}` while the database cannot be reached' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthBody> {
    try {
      await this.health.check([() => this.indicators.check('db').attempt(() => this.primary()).withTimeout(PING_TIMEOUT_MS)]);
      return { ok: true, db: 'up' };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      this.logger.error({ msg: 'Health check failed: the database is down', reqId: reply.request.id, details: (error.getResponse() as { details?: unknown }).details });
      reply.status(503);
      return { ok: false, db: 'down' };
    }
  }

  /** A standby answers queries but refuses every write the API makes. */
  private async primary(): Promise<void> {
    const [{ standby }] = await this.dataSource.query<{ standby: boolean }[]>('SELECT pg_is_in_recovery() AS standby');
    if (standby) throw new ServiceUnavailableException('the database is a read-only standby');
  }
}
