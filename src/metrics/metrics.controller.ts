import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Permission } from '../auth/permission.guard.js';
import { safeEqual } from '../common/crypto.js';
import { BearerAuthError } from '../common/http-errors.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.service.js';

/**
 * Prometheus' scrape target, outside /api/0. Open by default, as scrapers usually reach it
 * over a private network; with METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>`.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Permission('metrics.scrape')
  scrape(@Res({ passthrough: true }) reply: FastifyReply, @Headers('authorization') authorization?: string): Promise<string> {
    const expected = this.config.METRICS_TOKEN;
    const presented = /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
    if (expected && !safeEqual(presented, expected)) throw new BearerAuthError(authorization ? 'Invalid token' : 'Authentication credentials were not provided.');
    // Set here, not with @Header: an error answer must keep its JSON content type.
    void reply.header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE);
    return this.metrics.registry.metrics();
  }
}
