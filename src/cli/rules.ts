import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommanderError } from 'commander';
import { defaultRuleSet } from '../presence/authorization/default-rules.js';
import type { SubHandling } from '../presence/authorization/model.js';
import { parsePresRules } from '../presence/authorization/parse-rules.js';
import { namedWatchers, setWatcherHandling } from '../presence/authorization/rule-edits.js';
import { parseAor, parseUriOption } from './client-stack.js';
import { describeChange, formatListing, PRES_RULES_TYPE, refusalText, rulesDocumentPath, rulesListing } from './rules-format.js';
import type { RulesVariant } from './rules-format.js';
import { XcapClient, XcapConnectionError } from './xcap-client.js';
import type { XcapResponse } from './xcap-client.js';
import { readStdinPassword, UsageError } from './stdin-password.js';

/** Where `presenced rules` reads and writes, and how it exits; the process's by default (tests pass their own). */
export interface RulesIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Ends the command with an exit status (0 done, 1 refused, 2 usage error). */
  exit(code: number): never;
}

const processIo: RulesIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
};

/** The options of the `presenced rules` subcommands. */
export interface RulesOptions {
  server: URL;
  xcapRoot: string;
  oma?: boolean;
  user?: string;
  password?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

/** The server refused or could not be reached: exit status 1. */
class Refused extends Error {}

/**
 * Parses `--server http://host[:port]` (a bare `host:port` is taken as http); only http and https.
 * @throws InvalidArgumentError with an example.
 */
export function parseHttpServer(value: string): URL {
  const bad = (): InvalidArgumentError => new InvalidArgumentError('give the HTTP address of presenced serve, e.g. http://127.0.0.1:8080.');
  let url: URL;
  try {
    url = new URL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`);
  } catch {
    throw bad();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username) throw bad();
  return url;
}

/**
 * Parses `--xcap-root /path`: an absolute path without a trailing slash or query (RFC 4825 §6.1).
 * @throws InvalidArgumentError.
 */
export function parseXcapRoot(value: string): string {
  if (!/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/.test(value)) throw new InvalidArgumentError('give a path starting with / without a trailing /, e.g. /xcap.');
  return value;
}

/** The XCAP client of the options: with Digest credentials when --user is given. */
async function clientOf(o: RulesOptions, io: RulesIo): Promise<XcapClient> {
  if (o.password !== undefined && o.passwordStdin) throw new UsageError('give --password or --password-stdin, not both');
  const password = o.passwordStdin ? await readStdinPassword(io.stdin) : o.password;
  if ((o.user === undefined) !== (password === undefined)) throw new UsageError('--user and --password (or --password-stdin) go together: give both, or neither');
  return new XcapClient(o.server, o.user !== undefined && password !== undefined ? { username: o.user, password } : undefined);
}

/** The user's pres-rules document as read: which usage, its body and entity tag, or absent. */
interface Located {
  readonly variant: RulesVariant;
  readonly path: string;
  readonly existing?: { readonly body: Buffer; readonly etag: string | undefined };
}

/** One session of `presenced rules`: the client, the user and how refusals read. */
class RulesSession {
  constructor(
    readonly client: XcapClient,
    readonly aor: string,
    readonly o: RulesOptions,
  ) {}

  private refuse(res: XcapResponse): never {
    throw new Refused(refusalText(res.status, res.body, res.headers.get('content-type'), { aor: this.aor, credentials: this.o.user !== undefined }));
  }

  /** GETs one usage's document: undefined for 404 no such document; a refusal otherwise. */
  private async read(variant: RulesVariant): Promise<Located> {
    const path = rulesDocumentPath(this.o.xcapRoot, this.aor, variant);
    const res = await this.client.request('GET', path);
    if (res.status === 200) return { variant, path, existing: { body: res.body, etag: res.headers.get('etag') ?? undefined } };
    if (res.status === 404 && res.body.toString('utf8').trim() !== 'no such user') return { variant, path };
    return this.refuse(res);
  }

  /**
   * The document to work on: the one --oma names; else the OMA document when it exists (the server
   * reads it first), else the IETF one (RFC 5025), existing or not.
   */
  async locate(): Promise<Located> {
    if (this.o.oma) return this.read('oma');
    const oma = await this.read('oma');
    return oma.existing ? oma : this.read('ietf');
  }

  /**
   * PUTs `body` in place of what `at` read: If-Match with its entity tag, or If-None-Match: * when it
   * did not exist (RFC 4825 §7.11), so an edit made meanwhile is never overwritten. Returns false on
   * 412 (changed meanwhile); refuses on any other failure.
   */
  async write(at: Located, body: Buffer): Promise<boolean> {
    const condition: Record<string, string> = at.existing ? (at.existing.etag !== undefined ? { 'if-match': at.existing.etag } : {}) : { 'if-none-match': '*' };
    const res = await this.client.request('PUT', at.path, { body, contentType: PRES_RULES_TYPE, headers: condition });
    if (res.status === 200 || res.status === 201) return true;
    if (res.status === 412) return false;
    return this.refuse(res);
  }

  /** The absolute XCAP root URI the default rules' external lists point into. */
  get xcapRootUri(): string {
    return `${this.o.server.origin}${this.o.xcapRoot}`;
  }
}

/**
 * Runs `op` in a session, then exits: 0 done, 1 refused or unreachable, 2 usage error. A 412 answer is
 * retried by `op` itself (read again, edit again) once.
 */
async function run(aor: string, o: RulesOptions, io: RulesIo, op: (s: RulesSession) => Promise<void>): Promise<void> {
  try {
    await op(new RulesSession(await clientOf(o, io), aor, o));
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`presenced rules: error: ${e.message}\n`);
      return io.exit(2);
    }
    if (e instanceof Refused) {
      io.stderr.write(`presenced rules: ${e.message}\n`);
      return io.exit(1);
    }
    if (e instanceof XcapConnectionError) {
      const port = o.server.port || (o.server.protocol === 'https:' ? '443' : '80');
      io.stderr.write(
        `presenced rules: ${e.message}: is presenced serve running there, with --http-port ${port}? (serve's HTTP port defaults to 8080; check --server)\n`,
      );
      return io.exit(1);
    }
    throw e;
  }
  return io.exit(0);
}

/** Reads, edits and writes back, once more after a 412 (someone else's edit in between). */
async function editRules(s: RulesSession, edit: (current: Buffer) => { body: Buffer; report(): void }): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const at = await s.locate();
    const result = edit(at.existing?.body ?? defaultRuleSet(s.aor, s.xcapRootUri));
    if (await s.write(at, result.body)) {
      result.report();
      return;
    }
  }
  throw new Refused('412: the document kept changing while it was being edited: retry');
}

/**
 * `presenced rules <handling> <aor> <watcher>`: sets the watcher's sub-handling in the user's pres-rules
 * (RFC 5025 §3.2.1) over XCAP, prints the change, then exits through `io` (0 done, 1 refused or
 * unreachable, 2 usage error). Also the one step of `presenced watchers --approve/--block/--polite-block`.
 */
export function setWatcherHandlingCommand(aor: string, watcher: string, handling: SubHandling, o: RulesOptions, io: RulesIo = processIo): Promise<void> {
  return run(aor, o, io, (s) =>
    editRules(s, (current) => {
      const before = parsePresRules(current);
      const edit = setWatcherHandling(current, watcher, handling);
      if (!edit.ok) throw new Refused(edit.defect);
      const after = parsePresRules(edit.value.document);
      return {
        body: edit.value.document,
        report: () => {
          const named = (r: typeof after) => (r.ok ? namedWatchers(r.value) : []);
          io.stdout.write(`${describeChange(watcher, named(before), named(after), handling)}\n`);
          if (edit.value.unaffected.length) {
            io.stderr.write(
              `warning: rule(s) ${edit.value.unaffected.join(', ')} may still decide otherwise for ${watcher} (an external list or a rule for everyone); see presenced rules show\n`,
            );
          }
        },
      };
    }),
  );
}

/**
 * `presenced rules`: a user's pres-rules (RFC 5025) through XCAP (RFC 4825) on the HTTP port of
 * `presenced serve` (issue 4 item 7): list, show, reset, and allow / confirm / polite-block / block a
 * watcher in one command, without writing XML.
 */
export function rulesCommand(io: RulesIo = processIo): Command {
  const rules = new Command('rules').description('manage who may see your presence (pres-rules over XCAP)');
  const output = (cmd: Command): Command =>
    cmd
      .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) })
      .showHelpAfterError('(add --help for usage)')
      .exitOverride((err: CommanderError) => io.exit(err.exitCode === 0 ? 0 : 2));
  const configure = (cmd: Command): Command =>
    output(cmd)
      .addOption(new Option('--server <url>', 'HTTP address of presenced serve (XCAP)').default(parseHttpServer('http://127.0.0.1:8080'), 'http://127.0.0.1:8080').argParser(parseHttpServer))
      .addOption(new Option('--xcap-root <path>', 'the XCAP root path').default('/xcap').argParser(parseXcapRoot))
      .option('--oma', 'use the OMA pres-rules document (default: whichever exists, the IETF one when neither)')
      .option('--user <name>', 'user name for HTTP Digest authentication (with --password)')
      .option('--password <secret>', 'password for HTTP Digest authentication (visible to other local users in the process list)')
      .option('--password-stdin', 'read the password from standard input (one line)');

  rules.addCommand(
    configure(new Command('list'))
      .description('the watchers your rules name, with their handling, and the other rules')
      .argument('<aor>', 'your address, e.g. sip:alice@localhost', parseAor)
      .option('--json', 'print one JSON object')
      .action((aor: string, o: RulesOptions) =>
        run(aor, o, io, async (s) => {
          const at = await s.locate();
          const parsed = parsePresRules(at.existing?.body ?? defaultRuleSet(aor, s.xcapRootUri));
          if (!parsed.ok) throw new Refused(`the stored document is not a pres-rules document: ${parsed.defect}`);
          const listing = rulesListing(parsed.value, at.existing ? at.variant : null);
          if (o.json) io.stdout.write(`${JSON.stringify(listing)}\n`);
          else {
            if (!at.existing) io.stdout.write('no pres-rules document yet; the operator default rules below apply once you edit\n');
            for (const line of formatListing(listing)) io.stdout.write(`${line}\n`);
          }
        }),
      ),
  );

  const handlings: ReadonlyArray<[SubHandling, string]> = [
    ['allow', 'let the watcher see your presence'],
    ['confirm', 'hold the watcher pending until you decide'],
    ['polite-block', 'let the watcher subscribe, but show nothing real'],
    ['block', 'refuse the watcher'],
  ];
  for (const [handling, description] of handlings) {
    rules.addCommand(
      configure(new Command(handling))
        .description(description)
        .argument('<aor>', 'your address, e.g. sip:alice@localhost', parseAor)
        .argument('<watcher>', 'the watcher, e.g. sip:bob@localhost', parseUriOption)
        .action((aor: string, watcher: string, o: RulesOptions) => setWatcherHandlingCommand(aor, watcher, handling, o, io)),
    );
  }

  rules.addCommand(
    configure(new Command('show'))
      .description('print your pres-rules XML document')
      .argument('<aor>', 'your address, e.g. sip:alice@localhost', parseAor)
      .action((aor: string, o: RulesOptions) =>
        run(aor, o, io, async (s) => {
          const at = await s.locate();
          if (!at.existing) throw new Refused(`${aor} has no pres-rules document yet (presenced rules reset ${aor} writes the default)`);
          io.stdout.write(at.existing.body.toString('utf8').replace(/\n?$/, '\n'));
        }),
      ),
  );

  rules.addCommand(
    configure(new Command('reset'))
      .description('replace your rules with the operator default rule set')
      .argument('<aor>', 'your address, e.g. sip:alice@localhost', parseAor)
      .action((aor: string, o: RulesOptions) =>
        run(aor, o, io, (s) =>
          editRules(s, () => ({
            body: defaultRuleSet(aor, s.xcapRootUri),
            report: () => io.stdout.write(`${aor}: pres-rules reset to the default rule set\n`),
          })),
        ),
      ),
  );
  return output(rules);
}
