import { Command, InvalidArgumentError, Option } from 'commander';
import type { NotifyInfo } from '../events/subscriber/client-subscription.js';
import type { SubHandling } from '../presence/authorization/model.js';
import type { WatcherSelection } from '../presence/winfo/filter.js';
import { SIMPLE_FILTER_TYPE } from '../presence/winfo/filter.js';
import { WATCHERINFO_TYPE } from '../presence/winfo/watcherinfo-document.js';
import { addClientOptions, parseAor, parseExpires } from './client-stack.js';
import type { ClientOptions } from './client-stack.js';
import { parseHttpServer, parseXcapRoot, setWatcherHandlingCommand } from './rules.js';
import { runSubscription } from './subscription-runner.js';
import { changeLine, filterBody, formatTable, parseHistory, parseSelection, parseWatcherInfo, WatcherTable, watcherJson } from './watchers-format.js';

interface WatchersOptions extends ClientOptions {
  from?: string;
  expires: number;
  follow?: boolean;
  filter?: WatcherSelection;
  history?: number;
  approve?: string;
  block?: string;
  politeBlock?: string;
  httpServer: URL;
  xcapRoot: string;
}

/** The watcher information event package (RFC 3857 §3.1). */
const WINFO_EVENT = 'presence.winfo';
/**
 * Subscribes to the watcher information of `aor` (RFC 3857) and prints its watchers: once (a fetch,
 * Expires 0) or, with --follow, every change until a signal. Resolves with the exit status: 0 when it
 * ended as asked, 1 when the server refused or ended the subscription.
 */
async function runWatchers(aor: string, o: WatchersOptions): Promise<number> {
  // RFC 3857 §5.1: only the presentity itself may see its watchers, so it subscribes as itself.
  const from = o.from ?? aor;
  const filter = filterBody(o.filter, o.history);
  const table = new WatcherTable();
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  return runSubscription({
    client: o,
    resource: aor,
    from,
    event: WINFO_EVENT,
    // RFC 3857 §3.5: application/watcherinfo+xml is the default and only body we read.
    accept: [WATCHERINFO_TYPE],
    // RFC 6665 §4.4.3: Expires 0 fetches the state once.
    expires: o.follow ? o.expires : 0,
    contactUser: 'presentity',
    ...(filter ? { body: { contentType: SIMPLE_FILTER_TYPE, content: filter } } : {}),
    untilSignal: !!o.follow,
    unsubscribe: !!o.follow,
    hint: (status, phase) =>
      status !== 403 ? undefined : phase === 'refused' ? 'only the presentity itself may see its watchers' : 'only the presentity itself may see its watchers: give --from (and --user/--password) for it',
    refused: (detail) => `watchers of ${aor}: ${detail}`,
    terminated: (why) => `watchers of ${aor}: ${why}`,
    onNotify: (info: NotifyInfo, run) => {
      if (run.done) return;
      run.counted();
      if (info.body.length > 0) {
        const parsed = info.contentType === undefined || info.contentType === WATCHERINFO_TYPE ? parseWatcherInfo(info.body) : { ok: false as const, defect: `a ${info.contentType} body` };
        if (!parsed.ok) process.stderr.write(`presenced watchers: an unreadable watcherinfo document ignored (${parsed.defect})\n`);
        else {
          const first = table.version === undefined;
          const outcome = table.apply(parsed.doc);
          if (outcome.kind === 'applied') {
            const now = new Date();
            if (o.json) for (const w of outcome.changed) out(watcherJson(w, now));
            else if (first) formatTable(aor, table).forEach(out);
            else for (const w of outcome.changed) out(changeLine(now, aor, w));
            // RFC 3858 §4: after a version gap the subscriber SHOULD refresh to get full state (RFC 3857 §4.4).
            if (outcome.gap) run.sub.refreshNow().catch((e: unknown) => process.stderr.write(`presenced watchers: refresh failed: ${String(e)}\n`));
          }
        }
      }
      if (!o.follow) run.end(0);
    },
  });
}

/** The one decision asked for by --approve, --block or --polite-block, if any. */
function decisionOf(o: WatchersOptions): { handling: SubHandling; watcher: string } | undefined {
  const asked = ([['allow', o.approve], ['block', o.block], ['polite-block', o.politeBlock]] as const).filter(([, w]) => w !== undefined);
  if (asked.length > 1) throw new InvalidArgumentError('give one of --approve, --block and --polite-block at a time.');
  const [handling, watcher] = asked[0] ?? [];
  return handling !== undefined && watcher !== undefined ? { handling, watcher } : undefined;
}

/**
 * `presenced watchers <aor>`: who watches the presentity (RFC 3857 watcher information, TS 23.141 §5.1),
 * once or live, with the pending ones marked; and their approval or blocking in one step through the
 * pres-rules over XCAP, as `presenced rules` does (TS 23.141 A.2.5).
 */
export function watchersCommand(): Command {
  const cmd = new Command('watchers')
    .description('show who watches your presence (presence.winfo, RFC 3857); approve or block a watcher in one step')
    .argument('<aor>', 'your address, e.g. sip:alice@localhost', parseAor)
    .option('--follow', 'keep running and print each change until Ctrl-C (default: print once and exit)')
    .addOption(new Option('--filter <which>', 'which watchers: all, defined (named in your rules), new (pending), defined-new').argParser(parseSelection))
    .addOption(new Option('--history <s>', 'list past watchers of the last <s> seconds only').argParser(parseHistory))
    .option('--from <aor>', 'who asks (default: the presentity itself)', parseAor)
    .addOption(new Option('--expires <s>', 'subscription duration with --follow, in seconds').default(3600).argParser(parseExpires))
    .option('--approve <watcher>', 'let this watcher see your presence (pres-rules allow), then exit', parseAor)
    .option('--block <watcher>', 'refuse this watcher (pres-rules block), then exit', parseAor)
    .option('--polite-block <watcher>', 'let this watcher subscribe but show nothing real (pres-rules polite-block), then exit', parseAor)
    .addOption(new Option('--http-server <url>', 'HTTP address of presenced serve, for --approve/--block (XCAP)').default(parseHttpServer('http://127.0.0.1:8080'), 'http://127.0.0.1:8080').argParser(parseHttpServer))
    .addOption(new Option('--xcap-root <path>', 'the XCAP root path').default('/xcap').argParser(parseXcapRoot));
  return addClientOptions(cmd).action(async (aor: string, o: WatchersOptions, command: Command) => {
    let code: number;
    try {
      const decision = decisionOf(o);
      if (decision) {
        // The same code path as `presenced rules allow|block|polite-block`; it exits with its status.
        const rulesOptions = { server: o.httpServer, xcapRoot: o.xcapRoot, ...(o.user !== undefined ? { user: o.user } : {}), ...(o.password !== undefined ? { password: o.password } : {}) };
        await setWatcherHandlingCommand(aor, decision.watcher, decision.handling, rulesOptions);
        return;
      }
      code = await runWatchers(aor, o);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      return command.error(`error: ${e.message}`, { exitCode: 2, code: e.code });
    }
    process.exit(code);
  });
}
