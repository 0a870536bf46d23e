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
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users/passwords.js';
import { UsersService } from './users/users.service.js';

const OVERVIEW = `Usage: npm run cli -- <command> [options]
       npm run cli -- help [command]      (or: <command> --help)`;

const FOOTER = `The database is DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR
(default ./.data), whether or not the server is running.

Exit codes: 0 success, 1 the command failed, 2 bad usage or configuration.`;

class UsageError extends Error {}

@Module({})
class CliModule {
  static forRoot(config: AppConfig, url: string): DynamicModule {
    return { module: CliModule, imports: [CoreModule.forRoot(config, { url, poolSize: 2 }), UsersModule, JanitorModule] };
  }
}

interface Command {
  /** The synopsis line, then what it does. */
  usage: string;
  run(context: INestApplicationContext, args: string[]): Promise<unknown>;
}

const COMMANDS: Record<string, Command> = {
  createuser: {
    usage: `createuser --email EMAIL [--name NAME] [--superuser] [--password-stdin]
    Create a user and print {"id","email","token"} as one JSON line (the token is a new
    personal API token, shown only this once). With --password-stdin, the first line of
    standard input is the console password (never an argument: argv is visible to others).`,
    async run(context, args) {
      const { values } = parseArgs({
        args,
        options: { email: { type: 'string' }, name: { type: 'string' }, superuser: { type: 'boolean', default: false }, 'password-stdin': { type: 'boolean', default: false } },
      });
      if (!values.email) throw new UsageError('createuser needs --email');
      const password = values['password-stdin'] ? await passwordFromStdin() : undefined;
      const { user, token } = await context.get(UsersService).create({ email: values.email, name: values.name, isSuperuser: values.superuser, password });
      return { id: user.id, email: user.email, token };
    },
  },
  migrate: {
    usage: `migrate
    Apply pending database migrations and print {"migrations": [...]}, the applied ones
    (the server also applies them when it starts).`,
    // CoreModule has applied pending migrations before any command runs; this reports them.
    async run(context, args) {
      parseArgs({ args, options: {} });
      const applied = await context.get(DataSource).query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
      return { migrations: applied.map((row) => row.name) };
    },
  },
  janitor: {
    usage: `janitor
    Delete expired grants, dead token families, expired JWT ids, old webhook deliveries, ended console sessions and spent
    set-password links, and erase refresh answers whose retry window has closed, once; print the counts (the server also
    does this every JANITOR_INTERVAL_SECONDS).`,
    async run(context, args) {
      parseArgs({ args, options: {} });
      return context.get(JanitorService).run();
    },
  },
};

/** The first line of standard input, without its line ending. */
async function passwordFromStdin(): Promise<string> {
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n') || input.length > PASSWORD_MAX_LENGTH + 2) break;
  }
  const password = input.split(/\r?\n/, 1)[0]!;
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new UsageError(`The password on standard input must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`);
  }
  return password;
}

const HELP_FLAGS = new Set(['help', '--help', '-h']);

function usage(name?: string): string {
  if (name) return `Usage: npm run cli -- ${COMMANDS[name]!.usage}\n\n${FOOTER}`;
  const commands = Object.values(COMMANDS).map((command) => `  ${command.usage.replace(/\n/g, '\n  ')}`);
  return `${OVERVIEW}\n\nCommands:\n${commands.join('\n')}\n  help [command]\n      Show this text, or one command's.\n\n${FOOTER}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || HELP_FLAGS.has(name)) {
    const topic = name ? args[0] : undefined;
    if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) throw new UsageError(`Unknown command "${topic}".`);
    // Asked for, help goes to stdout; printed because the command was missing, to stderr.
    (name ? process.stdout : process.stderr).write(`${usage(topic)}\n`);
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`Unknown command "${name}".`);
  const command = COMMANDS[name]!;
  if (args.some((arg) => HELP_FLAGS.has(arg) && arg !== 'help')) {
    process.stdout.write(`${usage(name)}\n`);
    return 0;
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  let context: INestApplicationContext | undefined;
  try {
    context = await NestFactory.createApplicationContext(CliModule.forRoot(config, database.url), { logger: ['error', 'fatal'] });
    process.stdout.write(`${JSON.stringify(await command.run(context, args))}\n`);
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
