import './v8-flags.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { createApp } from './app.setup.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { openDatabase } from './database/database.js';
import { InitialAdminService } from './users/initial-admin.service.js';
import { PASSWORD_LINK_TTL_SECONDS } from './users/password-links.service.js';

async function bootstrap(config: AppConfig): Promise<void> {
  const logger = new Logger('Bootstrap');
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  // Said once the app's logger is up, in its format.
  const notices: string[] = [];
  const database = await openDatabase(config, { log: verbose ? (line) => logger.debug(line) : undefined, notice: (line) => notices.push(line) });
  const app = await createApp(AppModule.forRoot(config, { url: database.url }), config);
  for (const line of notices) logger.log(line);
  await app.listen({ port: config.PORT, host: '0.0.0.0' });

  const admin = await app.get(InitialAdminService).ensure();
  if (admin) {
    // Printed once, never logged: the token and the link exist nowhere else in plaintext.
    process.stdout.write(
      `\nCreated the superuser ${admin.user.email}. Its personal API token, shown only this once:\n\n    ${admin.token}\n\n` +
        `To sign in to the console, set its password within ${PASSWORD_LINK_TTL_SECONDS / 3600} hours at this one-time link:\n\n` +
        `    http://127.0.0.1:${config.PORT}/auth/set-password/${admin.passwordLinkToken}/\n\n`,
    );
  }
  logger.log(`Listening on http://127.0.0.1:${config.PORT}/api/0/, the console on http://127.0.0.1:${config.PORT}/auth/login/ (database: ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, under ${config.DATA_DIR}`})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing in-flight requests, then stopping`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
bootstrap(config).catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
