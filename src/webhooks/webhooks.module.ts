import { Module } from '@nestjs/common';
import { SentryAppsModule } from '../sentry-apps/sentry-apps.module.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { WebhookRequestsService } from './webhook-requests.service.js';
import { WebhookWorker } from './webhook-worker.service.js';
import { WebhookRequestsController } from './webhook-requests.controller.js';

@Module({
  imports: [SentryAppsModule],
  controllers: [WebhookRequestsController],
  providers: [WebhookOutbox, WebhookWorker, WebhookRequestsService],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
