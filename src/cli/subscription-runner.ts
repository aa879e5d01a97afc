import { ClientSubscription, SubscriptionError } from '../events/subscriber/client-subscription.js';
import type { NotifyInfo, TerminationInfo } from '../events/subscriber/client-subscription.js';
import { SubscriberRegistry } from '../events/subscriber/subscriber-registry.js';
import { credentialsOf, openClientStack } from './client-stack.js';
import type { ClientOptions } from './client-stack.js';
import { failureHint } from './failure-hint.js';

/** How long an unsubscribe waits for the final NOTIFY before the tool exits anyway, in ms. */
const FINAL_NOTIFY_WAIT_MS = 5000;

/** Resolves after `ms`, or when `done` settles, whichever is first. */
async function within(done: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** What a command does with the running subscription from its NOTIFY handler. */
export interface SubscriptionRun {
  /** The subscription itself (e.g. for `refreshNow()`). */
  readonly sub: ClientSubscription;
  /** True once the exit status is known. */
  readonly done: boolean;
  /** Sets the exit status (the first call wins), writing `message` to stderr when given. */
  end(code: number, message?: string): void;
  /** Counts a NOTIFY as seen: a termination after none is reported as "no NOTIFY came". */
  counted(): void;
}

/** One SUBSCRIBE dialog run by a command until it ends as asked, a signal, or the server ends it. */
export interface SubscriptionRunOptions {
  client: ClientOptions;
  resource: string;
  from: string;
  /** The event package (RFC 6665 §8.2.1 Event). */
  event: string;
  accept: string[];
  /** Requested duration in seconds; 0 fetches the state once (RFC 6665 §4.4.3). */
  expires: number;
  /** User part of the Contact when `from` has none. */
  contactUser: string;
  /** A body of the initial SUBSCRIBE, e.g. an event filter (RFC 4660 §5.2.1). */
  body?: { readonly contentType: string; readonly content: Buffer };
  /** Whether SIGINT / SIGTERM end the run with status 0. */
  untilSignal: boolean;
  /** Whether to unsubscribe (Expires 0) once the run has ended. */
  unsubscribe: boolean;
  /** A hint for a failure status; defaults to {@link failureHint}. */
  hint?: (status: number, phase: 'refused' | 'terminated') => string | undefined;
  /** The stderr line for a SUBSCRIBE refused at start. */
  refused(detail: string): string;
  /** The stderr line for a subscription ended by the server after it started. */
  terminated(why: string): string;
  /** Handles each NOTIFY; calls `run.counted()` for those it counts and `run.end()` when done. */
  onNotify(info: NotifyInfo, run: SubscriptionRun): void;
}

/**
 * Opens a client stack, subscribes as `o` says and runs until {@link SubscriptionRun.end}; then
 * unsubscribes (when asked) and closes everything. Resolves with the exit status given to `end`: 1 when
 * the server refused or ended the subscription.
 */
export async function runSubscription(o: SubscriptionRunOptions): Promise<number> {
  const credentials = credentialsOf(o.client);
  const server = o.client.server;
  const hintContext = { method: 'SUBSCRIBE', server: `${server.host}:${server.port}`, transport: o.client.transport, credentials: !!credentials } as const;
  const hint = (status: number, phase: 'refused' | 'terminated'): string | undefined => o.hint?.(status, phase) ?? failureHint(status, hintContext);
  const registry = new SubscriberRegistry();
  const stack = await openClientStack({ server, transport: o.client.transport, handlers: [registry.notifyHandler] });
  const sub = new ClientSubscription({
    transactions: stack.transactions,
    target: stack.target,
    sentBy: stack.sentBy,
    resource: o.resource,
    from: o.from,
    event: o.event,
    accept: o.accept,
    expires: o.expires,
    contact: stack.contact(/^sips?:([^@]+)@/.exec(o.from)?.[1] ?? o.contactUser),
    ...(credentials ? { credentials } : {}),
    ...(o.body ? { body: o.body } : {}),
  });
  registry.add(sub);

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let notifies = 0;
  const run = {
    sub,
    /** Set once the exit status is known; a later termination is not reported again. */
    done: false,
    end(code: number, message?: string): void {
      if (run.done) return;
      run.done = true;
      if (message !== undefined) process.stderr.write(`${message}\n`);
      finish(code);
    },
    counted(): void {
      notifies++;
    },
  };
  sub.onNotify = (info: NotifyInfo) => o.onNotify(info, run);
  let started = false;
  let termination: TerminationInfo | undefined;
  const reportTermination = (t: TerminationInfo): void => {
    if (t.status !== undefined) {
      const h = hint(t.status, 'terminated');
      run.end(1, o.terminated(`SUBSCRIBE answered ${t.status}${h ? ` — ${h}` : ''}`));
    } else if (notifies === 0) run.end(1, o.terminated('no NOTIFY came from the server'));
    else run.end(1, o.terminated(`the server terminated the subscription${t.reason !== undefined ? ` (reason: ${t.reason})` : ''}`));
  };
  sub.onTerminated = (t: TerminationInfo) => {
    termination = t;
    // Before start() has settled, the termination is reported there (a refused SUBSCRIBE by start()).
    if (started) reportTermination(t);
  };
  const onSignal = (): void => run.end(0);
  if (o.untilSignal) {
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
        const h = hint(e.status, 'refused');
        run.end(1, o.refused(`${e.status} ${e.reason}${h ? ` — ${h}` : ''}`));
      },
    );
    await Promise.race([starting, finished]);
    const code = await finished;
    // RFC 6665 §4.1.2.3: unsubscribe (Expires 0); the final NOTIFY is awaited only briefly.
    if (o.unsubscribe) await within(sub.stop(), FINAL_NOTIFY_WAIT_MS);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    registry.remove(sub);
    await stack.close();
  }
}
