import { Command, InvalidArgumentError, Option } from 'commander';
import { ClientSubscription, SubscriptionError } from '../events/subscriber/client-subscription.js';
import type { NotifyInfo, TerminationInfo } from '../events/subscriber/client-subscription.js';
import { SubscriberRegistry } from '../events/subscriber/subscriber-registry.js';
import { addClientOptions, credentialsOf, openClientStack, parseAor, parseCount, parseExpires } from './client-stack.js';
import type { ClientOptions } from './client-stack.js';
import { failureHint } from './failure-hint.js';
import { describePresence, describeState, PIDF_TYPE, watchEventJson, watchEventOf, watchLine } from './watch-format.js';

interface WatchOptions extends ClientOptions {
  from?: string;
  expires: number;
  fetch?: boolean;
  count?: number;
}

/** How long an unsubscribe waits for the final NOTIFY before the tool exits anyway, in ms. */
const FINAL_NOTIFY_WAIT_MS = 5000;

/** Resolves after `ms`, or when `done` settles, whichever is first. */
async function within(done: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Subscribes to `aor` and prints its presence until a signal, `count` NOTIFYs, or (with `fetch`) the one
 * NOTIFY of a fetch; resolves with the exit status: 0 when it ended as asked, 1 when the server refused
 * or ended the subscription.
 */
async function runWatch(aor: string, o: WatchOptions): Promise<number> {
  const credentials = credentialsOf(o);
  const from = o.from ?? `sip:watcher@${o.server.host.includes(':') ? `[${o.server.host}]` : o.server.host}`;
  const hintContext = { method: 'SUBSCRIBE', server: `${o.server.host}:${o.server.port}`, transport: o.transport, credentials: !!credentials } as const;
  const registry = new SubscriberRegistry();
  const stack = await openClientStack({ server: o.server, transport: o.transport, handlers: [registry.notifyHandler] });
  const sub = new ClientSubscription({
    transactions: stack.transactions,
    target: stack.target,
    sentBy: stack.sentBy,
    resource: aor,
    from,
    event: 'presence',
    accept: [PIDF_TYPE],
    // RFC 6665 §4.4.3: Expires 0 on the initial SUBSCRIBE fetches the state once.
    expires: o.fetch ? 0 : o.expires,
    contact: stack.contact(/^sips?:([^@]+)@/.exec(from)?.[1] ?? 'watcher'),
    ...(credentials ? { credentials } : {}),
  });
  registry.add(sub);

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  /** Set once the exit status is known; a later termination is not reported again. */
  let done = false;
  const end = (code: number, message?: string): void => {
    if (done) return;
    done = true;
    if (message !== undefined) process.stderr.write(`${message}\n`);
    finish(code);
  };
  let started = false;
  let notifies = 0;
  let lastText: string | undefined;
  const print = (text: string): void => {
    // Text mode prints changes only: a refresh's NOTIFY repeating the state adds no line.
    if (text === lastText) return;
    lastText = text;
    process.stdout.write(`${watchLine(new Date(), aor, text)}\n`);
  };
  const limit = o.fetch ? 1 : o.count;

  sub.onNotify = (info: NotifyInfo) => {
    // After the last NOTIFY asked for nothing more is shown; after a signal the final NOTIFY still is.
    if (limit !== undefined && notifies >= limit) return;
    notifies++;
    const e = watchEventOf(info);
    if (o.json) process.stdout.write(`${watchEventJson(e, new Date())}\n`);
    else if (o.fetch) print(describePresence(e) ?? 'no presence document');
    else {
      const state = describeState(e);
      if (state !== undefined) print(state);
      if (e.state !== 'terminated') print(describePresence(e) ?? `${e.state}, without a presence document`);
    }
    if (limit !== undefined && notifies >= limit) end(0);
  };
  let termination: TerminationInfo | undefined;
  const reportTermination = (t: TerminationInfo): void => {
    const ended = (why: string): string => `watching ${aor} ended: ${why}`;
    if (t.status !== undefined) {
      const hint = failureHint(t.status, hintContext);
      end(1, ended(`SUBSCRIBE answered ${t.status}${hint ? ` — ${hint}` : ''}`));
    } else if (notifies === 0) end(1, ended('no NOTIFY came from the server'));
    else end(1, ended(`the server terminated the subscription${t.reason !== undefined ? ` (reason: ${t.reason})` : ''}`));
  };
  sub.onTerminated = (t: TerminationInfo) => {
    termination = t;
    // Before start() has settled, the termination is reported there (a refused SUBSCRIBE by start()).
    if (started) reportTermination(t);
  };
  const onSignal = (): void => end(0);
  if (!o.fetch) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const starting = sub.start().then(
      () => {
        started = true;
        // A NOTIFY before the 2xx, or Timer N, may have ended the subscription already.
        if (termination) reportTermination(termination);
      },
      (e: unknown) => {
        if (!(e instanceof SubscriptionError)) throw e;
        const hint = failureHint(e.status, hintContext);
        end(1, `watching ${aor} failed: ${e.status} ${e.reason}${hint ? ` — ${hint}` : ''}`);
      },
    );
    await Promise.race([starting, finished]);
    const code = await finished;
    // RFC 6665 §4.1.2.3: unsubscribe (Expires 0); the final NOTIFY is awaited only briefly.
    await within(sub.stop(), FINAL_NOTIFY_WAIT_MS);
    return code;
  } finally {
    registry.remove(sub);
    await stack.close();
  }
}

/** `presenced watch <aor>`: a watcher (RFC 3856 SUBSCRIBE to the presence event) printing each change. */
export function watchCommand(): Command {
  const cmd = new Command('watch')
    .description('watch the presence of an address (SUBSCRIBE, RFC 3856) and print every change until Ctrl-C')
    .argument('<aor>', 'the presentity, e.g. sip:alice@localhost', parseAor)
    .option('--from <aor>', 'who is watching (default sip:watcher@<server host>)', parseAor)
    .addOption(new Option('--expires <s>', 'requested subscription duration in seconds').default(3600).argParser(parseExpires))
    .option('--fetch', 'fetch the current state once (SUBSCRIBE with Expires: 0), print it and exit')
    .option('--count <n>', 'exit after n NOTIFYs (for scripts)', parseCount);
  return addClientOptions(cmd).action(async (aor: string, o: WatchOptions, command: Command) => {
    let code: number;
    try {
      code = await runWatch(aor, o);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      return command.error(`error: ${e.message}`, { exitCode: 2, code: e.code });
    }
    process.exit(code);
  });
}
