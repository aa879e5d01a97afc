import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ClientPublication, PublicationError } from '../events/publication/client-publication.js';
import { buildPidf } from '../presence/pidf/index.js';
import type { Basic } from '../presence/pidf/index.js';
import { addClientOptions, credentialsOf, openClientStack, parseAor, parseExpires, parseUriOption } from './client-stack.js';
import type { ClientOptions } from './client-stack.js';
import { failureHint } from './failure-hint.js';
import { PartialPublisher, statusOfLine } from './partial-updates.js';
import { formatPublishEvent, publishEventJson } from './publish-format.js';
import type { PublishEvent } from './publish-format.js';
import { PIDF_TYPE } from './watch-format.js';

/** The activity elements of RFC 4480 §3.2 that take no content (`other` carries text, so it is left out). */
export const RPID_ACTIVITIES: readonly string[] = [
  'appointment', 'away', 'breakfast', 'busy', 'dinner', 'holiday', 'in-transit', 'looking-for-work', 'meal', 'meeting',
  'on-the-phone', 'performance', 'permanent-absence', 'playing', 'presentation', 'shopping', 'sleeping', 'spectator',
  'steering', 'travel', 'tv', 'unknown', 'vacation', 'working', 'worship',
];

/**
 * Parses `--status open|closed` (RFC 3863 §4.1.4 basic status).
 * @throws InvalidArgumentError for anything else.
 */
export function parseStatus(value: string): Basic {
  const v = value.trim().toLowerCase();
  if (v !== 'open' && v !== 'closed') throw new InvalidArgumentError('give open (reachable) or closed (not reachable).');
  return v;
}

/**
 * Accumulates repeated `--activity <name>` values, each one of {@link RPID_ACTIVITIES}; `unknown`
 * stands alone (RFC 4480 §3.2).
 * @throws InvalidArgumentError naming the known activities.
 */
export function collectActivity(value: string, previous: readonly string[]): string[] {
  const name = value.trim().toLowerCase();
  if (!RPID_ACTIVITIES.includes(name)) throw new InvalidArgumentError(`give one of the RPID activities: ${RPID_ACTIVITIES.join(', ')}.`);
  const all = previous.includes(name) ? [...previous] : [...previous, name];
  if (all.length > 1 && all.includes('unknown')) throw new InvalidArgumentError('"unknown" cannot be combined with other activities.');
  return all;
}

/**
 * The tuple id of a presentity's publications from this tool: derived from the AOR, so a later
 * `presenced publish` of the same address replaces the status an earlier one left (composition keeps the
 * newest occurrence of an id, RFC 4479 §3.5) instead of adding a second tuple.
 */
export function tupleIdFor(aor: string): string {
  return `pub-${createHash('sha256').update(aor).digest('hex').slice(0, 12)}`;
}

interface PublishOptions extends ClientOptions {
  status: Basic;
  note?: string;
  activity: string[];
  contact?: string;
  expires: number;
  once?: boolean;
  partial?: boolean;
}

/** The user part of a SIP URI `parseAor` accepted (for our Contact). */
function userOf(aor: string): string {
  return /^sips?:([^@]+)@/.exec(aor)?.[1] ?? 'pua';
}

/** Publishes, then keeps the publication refreshed until a signal (unless `once`); resolves with the exit status. */
async function runPublish(aor: string, o: PublishOptions): Promise<number> {
  const credentials = credentialsOf(o);
  const report = (e: PublishEvent): void => {
    if (o.json) process.stdout.write(`${publishEventJson(e, new Date())}\n`);
    else (e.kind === 'failed' ? process.stderr : process.stdout).write(`${formatPublishEvent(e)}\n`);
  };
  const document = (basic: Basic): Buffer => buildPidf({
    entity: aor,
    tupleId: tupleIdFor(aor),
    basic,
    ...(o.note !== undefined ? { note: o.note } : {}),
    ...(o.activity.length ? { activities: o.activity } : {}),
    ...(o.contact !== undefined ? { contact: o.contact } : {}),
    timestamp: new Date().toISOString(),
  });
  // Installed first, so a signal during the initial PUBLISH still ends in a removal.
  let signalled!: () => void;
  const signal = new Promise<void>((resolve) => (signalled = resolve));
  if (!o.once) {
    process.once('SIGINT', signalled);
    process.once('SIGTERM', signalled);
  }
  const stack = await openClientStack({ server: o.server, transport: o.transport });
  try {
    const pub = new ClientPublication({
      transactions: stack.transactions,
      target: stack.target,
      sentBy: stack.sentBy,
      aor,
      event: 'presence',
      expires: o.expires,
      contact: stack.contact(userOf(aor)),
      ...(credentials ? { credentials } : {}),
    });
    const hintContext = { method: 'PUBLISH', server: `${o.server.host}:${o.server.port}`, transport: o.transport, credentials: !!credentials } as const;
    pub.delegate = {
      published: (r) => report({ kind: 'published', aor, etag: r.etag, expires: r.expires }),
      refreshed: (r) => report({ kind: 'refreshed', aor, etag: r.etag, expires: r.expires }),
      removed: () => report({ kind: 'removed', aor }),
      failed: (err) => {
        const hint = failureHint(err.status, hintContext);
        report({ kind: 'failed', aor, status: err.status, reason: err.reason, ...(hint !== undefined ? { hint } : {}) });
      },
    };
    const partial = o.partial ? new PartialPublisher(pub, aor, tupleIdFor(aor), o.status, document) : undefined;
    try {
      await (partial ? partial.start() : pub.publish(document(o.status), PIDF_TYPE));
    } catch (e) {
      if (e instanceof PublicationError) return 1;
      throw e;
    }
    if (o.once) {
      pub.stop();
      return 0;
    }
    const lines = partial ? createInterface({ input: process.stdin }) : undefined;
    lines?.on('line', (line) => {
      const basic = statusOfLine(line);
      if (basic === undefined) return void process.stderr.write('give open or closed\n');
      // RFC 5264 §4.2: later changes are state deltas, sent with the entity tag (a modifying publication).
      partial!.change(basic).catch(() => undefined);
    });
    await signal;
    lines?.close();
    try {
      // RFC 3903 §4.5: removal is a PUBLISH with Expires 0 and the entity tag.
      await pub.remove();
      return 0;
    } catch (e) {
      if (e instanceof PublicationError) return 1;
      throw e;
    }
  } finally {
    await stack.close();
  }
}

/** `presenced publish <aor>`: a presence user agent (RFC 3903 EPA) that publishes one PIDF tuple. */
export function publishCommand(): Command {
  const cmd = new Command('publish')
    .description('publish presence for an address (PUBLISH, RFC 3903) and keep it refreshed until Ctrl-C, which removes it')
    .argument('<aor>', 'the presentity, e.g. sip:alice@localhost', parseAor)
    .addOption(new Option('--status <open|closed>', 'basic status: open (reachable) or closed').default('open').argParser(parseStatus))
    .option('--note <text>', 'a note shown to watchers, e.g. "In a meeting"')
    .addOption(
      new Option('--activity <name>', 'an RPID activity such as away, busy, meeting, on-the-phone or meal (RFC 4480); repeatable')
        .default([], 'none')
        .argParser(collectActivity),
    )
    .option('--contact <uri>', 'where to reach you, put in the tuple (e.g. sip:alice@192.0.2.10)', parseUriOption)
    .addOption(new Option('--expires <s>', 'requested lifetime in seconds').default(3600).argParser(parseExpires))
    .option('--once', 'publish once and exit after the 200 (the state stays until it expires; a later publish of the same address replaces it)')
    .option('--partial', 'partial publication (RFC 5264): full state first as application/pidf-diff+xml, then each line "open" or "closed" typed on stdin is sent as a change of the status only');
  return addClientOptions(cmd).action(async (aor: string, o: PublishOptions, command: Command) => {
    let code: number;
    try {
      code = await runPublish(aor, o);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      return command.error(`error: ${e.message}`, { exitCode: 2, code: e.code });
    }
    process.exit(code);
  });
}
