import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JanitorService } from './janitor.service.js';

/** Runs the janitor every JANITOR_INTERVAL_SECONDS in the server; shutdown waits for a pass in progress. */
@Injectable()
export class JanitorScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Janitor');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly janitor: JanitorService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.JANITOR_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.logger.log('Janitor stopped');
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.janitor.run().then(
      (report) => !report.skipped && this.logger.log(`deleted ${report.tokens} tokens, ${report.grants} grants, ${report.jwtIds} JWT ids, ${report.webhookDeliveries} webhook deliveries, ${report.sessions} sessions, ${report.passwordLinks} password links, erased ${report.sealedAnswers} refresh answers`),
      (error: unknown) => this.logger.warn(`pass failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    await this.running;
    this.running = undefined;
  }
}
