import { Command, InvalidArgumentError, Option } from 'commander';
import type { NotifyInfo } from '../events/subscriber/client-subscription.js';
import { addClientOptions, parseAor, parseCount, parseExpires } from './client-stack.js';
import type { ClientOptions } from './client-stack.js';
import { runSubscription } from './subscription-runner.js';
import { describePresence, describeState, PIDF_TYPE, watchEventJson, watchEventOf, watchLine } from './watch-format.js';

interface WatchOptions extends ClientOptions {
  from?: string;
  expires: number;
  fetch?: boolean;
  count?: number;
}

/**
 * Subscribes to `aor` and prints its presence until a signal, `count` NOTIFYs, or (with `fetch`) the one
 * NOTIFY of a fetch; resolves with the exit status: 0 when it ended as asked, 1 when the server refused
 * or ended the subscription.
 */
async function runWatch(aor: string, o: WatchOptions): Promise<number> {
  const from = o.from ?? `sip:watcher@${o.server.host.includes(':') ? `[${o.server.host}]` : o.server.host}`;
  let notifies = 0;
  let lastText: string | undefined;
  const print = (text: string): void => {
    // Text mode prints changes only: a refresh's NOTIFY repeating the state adds no line.
    if (text === lastText) return;
    lastText = text;
    process.stdout.write(`${watchLine(new Date(), aor, text)}\n`);
  };
  const limit = o.fetch ? 1 : o.count;
  return runSubscription({
    client: o,
    resource: aor,
    from,
    event: 'presence',
    accept: [PIDF_TYPE],
    // RFC 6665 §4.4.3: Expires 0 on the initial SUBSCRIBE fetches the state once.
    expires: o.fetch ? 0 : o.expires,
    contactUser: 'watcher',
    untilSignal: !o.fetch,
    unsubscribe: true,
    refused: (detail) => `watching ${aor} failed: ${detail}`,
    terminated: (why) => `watching ${aor} ended: ${why}`,
    onNotify: (info: NotifyInfo, run) => {
      // After the last NOTIFY asked for nothing more is shown; after a signal the final NOTIFY still is.
      if (limit !== undefined && notifies >= limit) return;
      notifies++;
      run.counted();
      const e = watchEventOf(info);
      if (o.json) process.stdout.write(`${watchEventJson(e, new Date())}\n`);
      else if (o.fetch) print(describePresence(e) ?? 'no presence document');
      else {
        const state = describeState(e);
        if (state !== undefined) print(state);
        if (e.state !== 'terminated') print(describePresence(e) ?? `${e.state}, without a presence document`);
      }
      if (limit !== undefined && notifies >= limit) run.end(0);
    },
  });
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
