import { stat, readFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import type { CommanderError } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { importSubscribersCsv } from '../hss/csv-import.js';
import { HssError } from '../hss/errors.js';
import { SubscriberRegistry } from '../hss/subscriber-registry.js';
import { canonicalAorOfText } from '../sip/core/aor-text.js';
import { LocalIdentity } from '../sip/core/local-identity.js';
import { openStores } from '../store/open.js';
import type { SubscriberRecord } from '../store/ports.js';
import { readStdinPassword, UsageError } from './stdin-password.js';

/** Largest CSV file `users import` reads, bytes. */
const MAX_CSV_BYTES = 16 * 1024 * 1024;

/** Where the users commands read and write, and how they exit; the process's by default (tests pass their own). */
export interface UsersIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Ends the command with an exit status (0 done, 1 refused, 2 usage error). */
  exit(code: number): never;
}

const processIo: UsersIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
};

/** The options every users command takes: the same configuration as `presenced serve`. */
interface StoreOptions {
  config?: string;
  dataDir?: string;
  domain?: string;
}

interface PasswordOptions extends StoreOptions {
  password?: string;
  passwordStdin?: boolean;
}

interface AddOptions extends PasswordOptions {
  username?: string;
  alias: string[];
  displayName?: string;
}

/** The registry over the configured store, as `presenced serve` with the same options sees it. */
interface Context {
  config: Readonly<Config>;
  registry: SubscriberRegistry;
  close(): Promise<void>;
}

function open(o: StoreOptions): Context {
  const config = loadConfig(o.config, { domain: o.domain, store: { dataDir: o.dataDir } });
  if (config.store.kind !== 'sqlite') {
    throw new UsageError('store.kind is memory: subscribers would be lost at exit; the users commands need the SQLite store');
  }
  // The identity serve canonicalises AORs with: its domain, localhost and its listening addresses.
  const identity = new LocalIdentity();
  identity.addDomain(config.domain);
  identity.addHost('localhost');
  identity.addListener(config.sip.host, config.sip.port, 'UDP');
  const stores = openStores(config.store);
  const registry = new SubscriberRegistry({
    store: stores.subscribers,
    realm: config.auth.realm ?? config.domain,
    canonicalIdentity: (text) => canonicalAorOfText(text, identity),
  });
  return { config, registry, close: () => stores.close() };
}

async function passwordOf(o: PasswordOptions, io: UsersIo): Promise<string> {
  if (o.password !== undefined && o.passwordStdin) throw new UsageError('give --password or --password-stdin, not both');
  if (o.passwordStdin) return readStdinPassword(io.stdin);
  if (o.password === undefined) throw new UsageError('give the password with --password <pw> or --password-stdin');
  return o.password;
}

/** One line of `users list`. */
function describe(r: SubscriberRecord, realm: string): string {
  const parts = [r.aor, `username ${r.username}`];
  if (r.aliases.length) parts.push(`aliases ${r.aliases.join(', ')}`);
  if (r.displayName !== undefined) parts.push(JSON.stringify(r.displayName));
  if (r.realm !== realm) parts.push(`(realm ${r.realm}: set the password again for realm ${realm})`);
  return parts.join('  ');
}

/** One JSON line of `users list --json`: never the HA1 values, which are as secret as the password. */
function asJson(r: SubscriberRecord): string {
  return JSON.stringify({
    aor: r.aor,
    username: r.username,
    realm: r.realm,
    aliases: r.aliases,
    ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  });
}

/**
 * Progress of an import on stderr: a bar on a terminal; otherwise a line at every tenth of the rows,
 * so a log file gets at most eleven.
 */
function progressReporter(io: UsersIo): { update(done: number, total: number): void; stop(): void } {
  if (io.stderr.isTTY) {
    const bar = new SingleBar({ stream: io.stderr, format: 'importing |{bar}| {value}/{total} subscribers', hideCursor: true }, Presets.shades_classic);
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, done);
        else bar.update(done);
        started = true;
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      io.stderr.write(`imported ${done}/${total}\n`);
    },
    stop() {},
  };
}

/**
 * Runs one users command: opens the store, runs `op`, closes the store. A registry refusal (bad input,
 * unknown or existing subscriber, CSV defects) is printed and ends with status 1; a usage error with 2.
 */
async function run(o: StoreOptions, io: UsersIo, op: (ctx: Context) => Promise<void>): Promise<void> {
  let ctx: Context | undefined;
  try {
    ctx = open(o);
    await op(ctx);
  } catch (e) {
    if (e instanceof HssError) {
      io.stderr.write(`presenced users: ${e.message}\n`);
      await ctx?.close();
      io.exit(1);
    }
    if (e instanceof UsageError) {
      io.stderr.write(`presenced users: error: ${e.message}\n`);
      await ctx?.close();
      io.exit(2);
    }
    throw e;
  }
  await ctx.close();
}

function withStoreOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'the JSON configuration file of presenced serve')
    .option('--data-dir <dir>', 'directory of the SQLite state database (default ./data)')
    .option('--domain <domain>', 'the SIP domain served (default localhost); the digest realm unless auth.realm is set');
}

function withPasswordOptions(cmd: Command): Command {
  return cmd
    .option('--password <pw>', 'the password (1 to 128 characters; visible to other local users in the process list)')
    .option('--password-stdin', 'read the password from standard input (one line)');
}

/**
 * `presenced users`: the subscriber registry of the HSS (issue 4 item 1) — add, list, remove, passwd and
 * import from CSV — on the same data directory and configuration as `presenced serve`, which sees
 * changes at once (both open the same SQLite database).
 */
export function usersCommand(io: UsersIo = processIo): Command {
  const users = new Command('users').description('manage subscribers: identities and digest credentials (HA1 only, never the password)');
  const configure = (cmd: Command): Command =>
    cmd
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
      .showHelpAfterError('(add --help for usage)')
      .exitOverride((err: CommanderError) => io.exit(err.exitCode === 0 ? 0 : 2));

  users.addCommand(
    configure(withPasswordOptions(withStoreOptions(new Command('add'))))
      .description('add a subscriber')
      .argument('<aor>', 'the public identity, e.g. sip:alice@example.com')
      .option('--username <name>', 'digest username (default the user part of the AOR)')
      .addOption(new Option('--alias <uri>', 'another identity of the subscriber, e.g. tel:+15551234567; repeatable').default([]).argParser((v: string, prev: string[]) => [...prev, v]))
      .option('--display-name <name>', 'display name')
      .action((aor: string, o: AddOptions) =>
        run(o, io, async ({ registry }) => {
          const password = await passwordOf(o, io);
          const opts = {
            aliases: o.alias,
            ...(o.username !== undefined ? { username: o.username } : {}),
            ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
          };
          const r = await registry.add(aor, password, opts);
          io.stdout.write(`added ${r.aor} (username ${r.username}, realm ${r.realm})\n`);
        }),
      ),
  );

  users.addCommand(
    configure(withStoreOptions(new Command('list')))
      .description('list the subscribers in AOR order')
      .option('--json', 'one JSON object per line')
      .action((o: StoreOptions & { json?: boolean }) =>
        run(o, io, async ({ config, registry }) => {
          const realm = config.auth.realm ?? config.domain;
          let n = 0;
          for await (const r of registry.all()) {
            io.stdout.write(`${o.json ? asJson(r) : describe(r, realm)}\n`);
            n++;
          }
          if (n === 0 && !o.json) io.stderr.write('no subscribers\n');
        }),
      ),
  );

  users.addCommand(
    configure(withStoreOptions(new Command('remove')))
      .description('remove a subscriber with all its identities')
      .argument('<aor>', 'the subscriber\'s AOR')
      .action((aor: string, o: StoreOptions) =>
        run(o, io, async ({ registry }) => {
          if (!(await registry.remove(aor))) throw new HssError(`${aor} is not a subscriber`, 'ERR_HSS_UNKNOWN');
          io.stdout.write(`removed ${aor}\n`);
        }),
      ),
  );

  users.addCommand(
    configure(withPasswordOptions(withStoreOptions(new Command('passwd'))))
      .description('set a subscriber\'s password')
      .argument('<aor>', 'the subscriber\'s AOR')
      .action((aor: string, o: PasswordOptions) =>
        run(o, io, async ({ registry }) => {
          await registry.passwd(aor, await passwordOf(o, io));
          io.stdout.write(`password of ${aor} set\n`);
        }),
      ),
  );

  users.addCommand(
    configure(withStoreOptions(new Command('import')))
      .description('import subscribers from CSV: aor,password[,username][,aliases separated by ;][,display name]; header line optional')
      .argument('<file>', 'the CSV file (UTF-8, at most 16 MiB)')
      .action((file: string, o: StoreOptions) =>
        run(o, io, async ({ registry }) => {
          const size = (await stat(file)).size;
          if (size > MAX_CSV_BYTES) throw new HssError(`${file} has ${size} bytes, more than the ${MAX_CSV_BYTES} allowed`, 'ERR_HSS_CSV');
          const data = await readFile(file);
          const progress = progressReporter(io);
          let r;
          try {
            r = await importSubscribersCsv(registry, data, { maxBytes: MAX_CSV_BYTES, onProgress: (done, total) => progress.update(done, total) });
          } finally {
            progress.stop();
          }
          io.stdout.write(`imported ${r.added + r.updated} subscribers (${r.added} added, ${r.updated} updated)\n`);
        }),
      ),
  );
  return configure(users);
}
