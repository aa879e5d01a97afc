import type { Element } from '@xmldom/xmldom';
import { InvalidArgumentError } from 'commander';
import { parseXml } from '../presence/authorization/xml.js';
import { SIMPLE_FILTER_NS, WATCHERINFO_NS, WINFO_FILTER_NS } from '../presence/winfo/filter.js';
import type { WatcherSelection } from '../presence/winfo/filter.js';
import { WATCHERINFO_EXT_NS } from '../presence/winfo/watcherinfo-document.js';
import { childElements, isElement, plainAttribute } from '../util/xml-dom.js';
import { timeOfDay } from './watch-format.js';

/**
 * What `presenced watchers` reads and prints: watcherinfo documents (RFC 3858) as a subscriber reads
 * them, the table of watchers they build (RFC 3858 §4), and the filter body it sends (docs/winfo-filters.md).
 */

/** One watcher as a watcherinfo document describes it (RFC 3858 §3); numbers in seconds. */
export interface WinfoWatcher {
  /** The subscription's id, unique within the winfo subscription. */
  readonly id: string;
  /** pending, active, waiting, terminated (RFC 3857 §3.2), as sent. */
  readonly status: string;
  /** What caused the status (RFC 3857 §3.3), e.g. subscribe, approved, rejected. */
  readonly event: string;
  /** The watcher's URI (the element's content). */
  readonly uri: string;
  /** The watched resource (the watcher-list's `resource`). */
  readonly resource: string;
  readonly displayName?: string;
  /** Seconds until the subscription expires, as of the document. */
  readonly expiration?: number;
  /** Seconds since the SUBSCRIBE that created it, as of the document. */
  readonly durationSubscribed?: number;
}

/** A watcherinfo document as read. */
export interface WinfoDocument {
  readonly version: number;
  readonly state: 'full' | 'partial';
  readonly watchers: readonly WinfoWatcher[];
  /** presenced's count of anonymous subscriptions and fetches (docs/winfo-filters.md); 0 when absent. */
  readonly anonymousAttempts: number;
}

/** A document, or why it cannot be read. */
export type WinfoParse = { readonly ok: true; readonly doc: WinfoDocument } | { readonly ok: false; readonly defect: string };

const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 8, maxElements: 100_000 };

/** A non-negative integer attribute; undefined when absent, NaN when malformed. */
function numberAttribute(el: Element, name: string): number | undefined {
  const v = plainAttribute(el, name);
  if (v === undefined) return undefined;
  return /^\d{1,15}$/.test(v.trim()) ? Number(v) : NaN;
}

/**
 * Reads an application/watcherinfo+xml body (RFC 3858 §3, §6). Elements and attributes of other
 * namespaces are ignored (RFC 3858 §3 MUST), except presenced's anonymous-attempts count. Never throws.
 */
export function parseWatcherInfo(body: Buffer): WinfoParse {
  const fail = (defect: string): WinfoParse => ({ ok: false, defect });
  const parsed = parseXml(body, 'watcherinfo', LIMITS);
  if (!parsed.ok) return fail(parsed.defect);
  const root = parsed.doc.documentElement;
  if (!root || !isElement(root, WATCHERINFO_NS, 'watcherinfo')) return fail('the root is not a <watcherinfo> element');
  // RFC 3858 §3: version and state MUST be present.
  const version = numberAttribute(root, 'version');
  const state = plainAttribute(root, 'state');
  if (version === undefined || Number.isNaN(version)) return fail('<watcherinfo> has no valid version');
  if (state !== 'full' && state !== 'partial') return fail('<watcherinfo> state is neither full nor partial');
  const watchers: WinfoWatcher[] = [];
  let anonymousAttempts = 0;
  for (const list of childElements(root)) {
    if (!isElement(list, WATCHERINFO_NS, 'watcher-list')) continue;
    const resource = plainAttribute(list, 'resource');
    if (resource === undefined) return fail('a <watcher-list> has no resource');
    for (const el of childElements(list)) {
      if (isElement(el, WATCHERINFO_EXT_NS, 'anonymous-attempts')) {
        const n = numberAttribute(el, 'count');
        if (n !== undefined && !Number.isNaN(n)) anonymousAttempts += n;
        continue;
      }
      if (!isElement(el, WATCHERINFO_NS, 'watcher')) continue;
      const id = plainAttribute(el, 'id');
      const status = plainAttribute(el, 'status');
      const event = plainAttribute(el, 'event');
      // RFC 3858 §3: id, status and event MUST be present.
      if (id === undefined || status === undefined || event === undefined) return fail('a <watcher> lacks id, status or event');
      const displayName = plainAttribute(el, 'display-name');
      const expiration = numberAttribute(el, 'expiration');
      const durationSubscribed = numberAttribute(el, 'duration-subscribed');
      if (Number.isNaN(expiration) || Number.isNaN(durationSubscribed)) return fail(`watcher ${id}: expiration or duration-subscribed is not a number`);
      watchers.push({
        id,
        status,
        event,
        uri: (el.textContent ?? '').trim(),
        resource,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(expiration !== undefined ? { expiration } : {}),
        ...(durationSubscribed !== undefined ? { durationSubscribed } : {}),
      });
    }
  }
  return { ok: true, doc: { version, state, watchers, anonymousAttempts } };
}

/** What {@link WatcherTable.apply} did with a document. */
export type ApplyOutcome =
  /** Older than what the table holds: discarded (RFC 3858 §4). */
  | { readonly kind: 'discarded' }
  /**
   * Processed. `changed`: the watchers that are new or differ from their previous row (all of them for
   * the first document); `gap`: one or more documents were missed, so full state should be asked for.
   */
  | { readonly kind: 'applied'; readonly changed: readonly WinfoWatcher[]; readonly gap: boolean };

/** The watchers of one winfo subscription, kept from its documents as RFC 3858 §4 describes. */
export class WatcherTable {
  private readonly rows = new Map<string, WinfoWatcher>();
  private local: number | undefined;
  private anonymous = 0;

  /** The local version number; undefined before the first document. */
  get version(): number | undefined {
    return this.local;
  }

  /** The watchers in the order they were first listed. */
  get watchers(): readonly WinfoWatcher[] {
    return [...this.rows.values()];
  }

  /** The last anonymous-attempts count received. */
  get anonymousAttempts(): number {
    return this.anonymous;
  }

  /** Applies a document: full state replaces the table, partial state updates its rows. */
  apply(doc: WinfoDocument): ApplyOutcome {
    let gap = false;
    if (this.local !== undefined) {
      // RFC 3858 §4: a version below the local one is discarded without processing (and so is a repeat).
      if (doc.version <= this.local) return { kind: 'discarded' };
      // RFC 3858 §4: more than one higher: take its version, process it, and refresh for full state.
      gap = doc.version > this.local + 1 && doc.state === 'partial';
    }
    // RFC 3858 §4: the version MUST be initialised from the first document received.
    this.local = doc.version;
    const before = new Map(this.rows);
    // RFC 3858 §4: full state flushes the table and re-populates it.
    if (doc.state === 'full') this.rows.clear();
    const changed: WinfoWatcher[] = [];
    for (const w of doc.watchers) {
      this.rows.set(w.id, w);
      const old = before.get(w.id);
      if (!old || old.status !== w.status || old.event !== w.event || old.uri !== w.uri || old.displayName !== w.displayName) changed.push(w);
    }
    if (doc.state === 'full' || doc.anonymousAttempts > 0) this.anonymous = doc.anonymousAttempts;
    return { kind: 'applied', changed, gap };
  }
}

/** A duration in seconds, short: `45s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** The command that approves a pending watcher in one step. */
export function approveHint(aor: string, watcher: string): string {
  return `presenced watchers ${aor} --approve ${watcher}`;
}

/**
 * One watcher in one line of text, e.g.
 * `sip:bob@localhost "Bob B" PENDING, subscribed 3s — approve with: presenced watchers sip:alice@localhost --approve sip:bob@localhost`
 * or `sip:carol@localhost active (approved), subscribed 5m 3s, expires in 55m 0s`.
 */
export function describeWatcher(aor: string, w: WinfoWatcher): string {
  const name = w.displayName !== undefined ? ` ${JSON.stringify(w.displayName)}` : '';
  const pending = w.status === 'pending';
  // RFC 3857 §3.2: pending — the subscription awaits the presentity's authorisation.
  const parts = [pending ? 'PENDING' : `${w.status} (${w.event})`];
  if (w.durationSubscribed !== undefined) parts.push(`subscribed ${formatDuration(w.durationSubscribed)}`);
  if (w.expiration !== undefined && w.status !== 'terminated') parts.push(`expires in ${formatDuration(w.expiration)}`);
  const hint = pending ? ` — approve with: ${approveHint(aor, w.uri)}` : '';
  return `${w.uri}${name} ${parts.join(', ')}${hint}`;
}

/** The text of a whole table: a heading line, then one indented line per watcher. */
export function formatTable(aor: string, table: WatcherTable): string[] {
  const ws = table.watchers;
  const pending = ws.filter((w) => w.status === 'pending').length;
  const heading = ws.length === 0 ? `${aor}: no watchers` : `${aor}: ${ws.length} watcher${ws.length === 1 ? '' : 's'}${pending ? ` (${pending} pending)` : ''}`;
  const lines = [heading, ...ws.map((w) => `  ${describeWatcher(aor, w)}`)];
  if (table.anonymousAttempts > 0) lines.push(`  ${table.anonymousAttempts} anonymous attempt${table.anonymousAttempts === 1 ? '' : 's'} (identities withheld)`);
  return lines;
}

/** A live line of `--follow`: `12:01:02 <watcher line>`. */
export function changeLine(time: Date, aor: string, w: WinfoWatcher): string {
  return `${timeOfDay(time)} ${describeWatcher(aor, w)}`;
}

/**
 * The JSON line (`--json`) of one watcher, without a trailing newline:
 * `{time, resource, id, watcher, displayName, status, event, pending, durationSubscribed, expiration}`
 * with `time` in ISO 8601, durations in seconds and absent values null.
 */
export function watcherJson(w: WinfoWatcher, time: Date): string {
  return JSON.stringify({
    time: time.toISOString(),
    resource: w.resource,
    id: w.id,
    watcher: w.uri,
    displayName: w.displayName ?? null,
    status: w.status,
    event: w.event,
    pending: w.status === 'pending',
    durationSubscribed: w.durationSubscribed ?? null,
    expiration: w.expiration ?? null,
  });
}

const SELECTIONS: readonly WatcherSelection[] = ['all', 'defined', 'new', 'defined-new'];

/**
 * Parses `--filter all|defined|new|defined-new` (TS 23.141 §5.1).
 * @throws InvalidArgumentError naming the choices.
 */
export function parseSelection(value: string): WatcherSelection {
  const v = value.trim().toLowerCase();
  if (!(SELECTIONS as readonly string[]).includes(v)) throw new InvalidArgumentError(`give one of ${SELECTIONS.join(', ')}.`);
  return v as WatcherSelection;
}

/**
 * Parses `--history <seconds>`: 0 to 9999999999 (docs/winfo-filters.md).
 * @throws InvalidArgumentError.
 */
export function parseHistory(value: string): number {
  if (!/^\d{1,10}$/.test(value.trim())) throw new InvalidArgumentError('give a whole number of seconds, e.g. 86400 for one day.');
  return Number(value.trim());
}

/**
 * The application/simple-filter+xml body (RFC 4661; the subset of docs/winfo-filters.md) asking for
 * `selection` over the last `historySeconds`; undefined when neither narrows anything (no body is sent).
 */
export function filterBody(selection: WatcherSelection | undefined, historySeconds: number | undefined): Buffer | undefined {
  if ((selection === undefined || selection === 'all') && historySeconds === undefined) return undefined;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<filter-set xmlns="${SIMPLE_FILTER_NS}" xmlns:pf="${WINFO_FILTER_NS}">`,
    '  <filter id="presenced-watchers">',
  ];
  if (selection !== undefined) lines.push(`    <pf:watchers>${selection}</pf:watchers>`);
  if (historySeconds !== undefined) lines.push(`    <pf:history>${historySeconds}</pf:history>`);
  lines.push('  </filter>', '</filter-set>', '');
  return Buffer.from(lines.join('\n'), 'utf8');
}
