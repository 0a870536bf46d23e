import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { SecretBox } from '../../common/crypto.js';
import type { Installation } from '../installations/entities/installation.entity.js';
import { serializeInstallation } from '../installations/installation-view.js';
import type { Organization } from '../../organizations/entities/organization.entity.js';
import type { SentryApp } from '../apps/entities/sentry-app.entity.js';
import { displayName } from '../../users/display-name.js';
import { User } from '../../users/entities/user.entity.js';
import { WebhookDelivery, type WebhookEventType } from './entities/webhook-delivery.entity.js';

interface InstallationPayload {
  action: 'created' | 'deleted';
  installation: { uuid: string };
  data: { installation: { uuid: string; app: { uuid: string; slug: string }; organization: { id: string; slug: string }; status: string; code?: string | null } };
  actor: { type: 'user'; id: string; name: string };
}

/** The installation a webhook is about, as its caller already holds it. */
export interface WebhookSubject {
  installation: Installation;
  app: SentryApp;
  organization: Organization;
}

/** The transactional outbox of installation webhooks: the one place that decides what is sent, and when a webhook is owed. */
@Injectable()
export class WebhookOutbox {
  constructor(
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Records the webhook in `em`'s transaction, so it exists exactly when the install or
   * uninstall committed. Apps without a webhookUrl are owed nothing. `grantId` is the new
   * installation's grant, whose code `render` derives; null for an uninstall.
   */
  async enqueue(em: EntityManager, event: WebhookEventType, subject: WebhookSubject, actorUserId: string, grantId: string | null = null): Promise<void> {
    const { installation, app } = subject;
    if (!app.webhookUrl) return;
    const actor = await em.findOneByOrFail(User, { id: actorUserId });
    // The API's own shape; the code's placeholder keeps its place and render() fills it in.
    const { code: _code, ...withoutCode } = serializeInstallation({ ...subject, code: null });
    const payload: InstallationPayload = {
      action: event === 'installation.created' ? 'created' : 'deleted',
      installation: { uuid: installation.uuid },
      data: { installation: grantId ? { ...withoutCode, code: null } : withoutCode },
      actor: { type: 'user', id: actor.id, name: displayName(actor) },
    };
    const now = this.clock.now();
    await em.insert(WebhookDelivery, {
      requestId: randomUUID(),
      sentryAppId: app.id,
      installationId: installation.id,
      eventType: event,
      webhookUrl: app.webhookUrl,
      payload,
      grantId,
      nextAttemptAt: now,
      dateCreated: now,
    });
  }

  /** The exact body bytes: the same on every attempt, with the grant code derived, never stored. */
  render(delivery: Pick<WebhookDelivery, 'payload' | 'grantId'>): Buffer {
    const payload = structuredClone(delivery.payload) as unknown as InstallationPayload;
    if (delivery.grantId) payload.data.installation.code = this.secrets.grantCode(delivery.grantId);
    return Buffer.from(JSON.stringify(payload), 'utf8');
  }
}
