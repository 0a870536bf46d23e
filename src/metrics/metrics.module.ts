import { Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { routeTemplate } from '../common/route-template.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';
import { TOKEN_ROUTE, tokenRequestLabels } from './token-request-metrics.js';

/** Times every request, and counts the token endpoint's outcomes, in one place each. */
@Injectable()
class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onSend', (request, reply, payload, done) => {
      if (request.method === 'POST' && request.routeOptions.url === TOKEN_ROUTE) this.metrics.tokenRequests.inc(tokenRequestLabels(request, reply, payload));
      done(null, payload);
    });
    fastify?.addHook('onResponse', (request, reply, done) => {
      this.metrics.httpRequestDuration.observe({ method: request.method, route: routeTemplate(request), status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  }
}

@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, HttpMetrics],
  exports: [Metrics],
})
export class MetricsModule {}
