#!/usr/bin/env node
import 'reflect-metadata';
import { DynamicModule, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { CoreModule } from './app.module.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { openDatabase } from './database/database.js';
import { JanitorModule } from './janitor/janitor.module.js';
import { JanitorService } from './janitor/janitor.service.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  createuser --email EMAIL [--name NAME] [--superuser]
      Create a user and print {"id","email","token"} as one JSON line (the token is a new
      personal API token, shown only this once).
  migrate
      Apply pending database migrations (the server also applies them when it starts).
  janitor
      Delete expired grants, dead token families and expired JWT ids once, and print the
      counts (the server also does this every JANITOR_INTERVAL_SECONDS).
  help
      Show this text.

The database is DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR
(default ./.data), whether or not the server is running.

Exit codes: 0 success, 1 the command failed, 2 bad usage or configuration.`;

class UsageError extends Error {}

@Module({})
class CliModule {
  static forRoot(config: AppConfig, url: string): DynamicModule {
    return { module: CliModule, imports: [CoreModule.forRoot(config, { url, poolSize: 2 }), UsersModule, JanitorModule] };
  }
}

type Command = (context: INestApplicationContext, args: string[]) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  async createuser(context, args) {
    const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' }, superuser: { type: 'boolean', default: false } } });
    if (!values.email) throw new UsageError('createuser needs --email');
    const { user, token } = await context.get(UsersService).create({ email: values.email, name: values.name, isSuperuser: values.superuser });
    return { id: user.id, email: user.email, token };
  },
  // CoreModule has applied pending migrations before any command runs; this reports them.
  async migrate(context, args) {
    parseArgs({ args, options: {} });
    const applied = await context.get(DataSource).query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
    return { migrations: applied.map((row) => row.name) };
  },
  async janitor(context, args) {
    parseArgs({ args, options: {} });
    return context.get(JanitorService).run();
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  const config = loadConfig();
  const database = await openDatabase(config);
  let context: INestApplicationContext | undefined;
  try {
    context = await NestFactory.createApplicationContext(CliModule.forRoot(config, database.url), { logger: ['error', 'fatal'] });
    process.stdout.write(`${JSON.stringify(await command(context, args))}\n`);
    return 0;
  } finally {
    await context?.close();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError || error instanceof ConfigError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${usage ? '\nRun `npm run cli -- help` for usage.' : ''}\n`);
    process.exit(usage ? 2 : 1);
  },
);
