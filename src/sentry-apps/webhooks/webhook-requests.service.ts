import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SentryApp } from '../apps/entities/sentry-app.entity.js';
import type { WebhookDeliveryStatus, WebhookEventType } from './entities/webhook-delivery.entity.js';

export interface WebhookRequestView {
  date: string;
  eventType: WebhookEventType;
  webhookUrl: string;
  responseCode: number | null;
  organization: { slug: string };
  attempts: number;
  status: WebhookDeliveryStatus;
}

const LOG_SIZE = 100;

/** Sentry's request log: what an integrator looks at when a webhook did not arrive. */
@Injectable()
export class WebhookRequestsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(app: SentryApp): Promise<WebhookRequestView[]> {
    const rows = await this.dataSource.query<{ date_created: Date; event_type: WebhookEventType; webhook_url: string; response_code: number | null; slug: string; attempts: number; status: WebhookDeliveryStatus }[]>(
      `SELECT d.date_created, d.event_type, d.webhook_url, d.response_code, o.slug, d.attempts, d.status
         FROM webhook_deliveries d
         JOIN sentry_app_installations i ON i.id = d.installation_id
         JOIN organizations o ON o.id = i.organization_id
        WHERE d.sentry_app_id = $1
        ORDER BY d.id DESC
        LIMIT ${LOG_SIZE}`,
      [app.id],
    );
    return rows.map((row) => ({
      date: row.date_created.toISOString(),
      eventType: row.event_type,
      webhookUrl: row.webhook_url,
      responseCode: row.response_code,
      organization: { slug: row.slug },
      attempts: row.attempts,
      status: row.status,
    }));
  }
}
