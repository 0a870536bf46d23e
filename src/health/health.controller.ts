import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
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

/** Terminus checks the database; the answer keeps the contract's small body rather than Terminus' own. */
@ApiTags('health')
@Controller('internal/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Permission('health.check')
  @ApiOperation({ summary: 'Liveness and database reachability', security: [] })
  @ApiOkResponse({ type: HealthBody, description: '`{"ok": true, "db": "up"}`' })
  @ApiServiceUnavailableResponse({ type: HealthBody, description: '`{"ok": false, "db": "down"}` while the database cannot be reached' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthBody> {
    try {
      await this.health.check([() => this.database.pingCheck('db', { connection: this.dataSource, timeout: PING_TIMEOUT_MS })]);
      return { ok: true, db: 'up' };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return { ok: false, db: 'down' };
    }
  }
}
