import type { NotifyInfo } from '../events/subscriber/client-subscription.js';
import { parsePidf, summarise } from '../presence/pidf/index.js';
import type { PresenceSummary } from '../presence/pidf/index.js';

/** The media type of PIDF (RFC 3863 §4), the only one `presenced watch` accepts. */
export const PIDF_TYPE = 'application/pidf+xml';

/** One NOTIFY as `presenced watch` shows it. */
export interface WatchEvent {
  /** Subscription-State: active, pending, terminated (lower case). */
  readonly state: string;
  /** Its reason parameter, with terminated. */
  readonly reason?: string;
  /** The presence document, summarised; absent when the NOTIFY had no body or an unreadable one. */
  readonly summary?: PresenceSummary;
  /** Why the body could not be read, when it could not. */
  readonly error?: string;
}

/** Reads a NOTIFY: its state, and its PIDF body summarised (RFC 3856 §6.6: the body is presence state). */
export function watchEventOf(info: NotifyInfo): WatchEvent {
  const base = { state: info.state, ...(info.reason !== undefined ? { reason: info.reason } : {}) };
  if (info.body.length === 0) return base;
  if (info.contentType !== undefined && info.contentType !== PIDF_TYPE) {
    return { ...base, error: `a ${info.contentType} body of ${info.body.length} bytes, not PIDF` };
  }
  const doc = parsePidf(info.body);
  if (!doc.ok) return { ...base, error: doc.defect };
  return { ...base, summary: summarise(doc.value) };
}

/**
 * The JSON line (`--json`) for a NOTIFY, without a trailing newline:
 * `{time, state, reason?, basic, note, activities, tuples: [{id, basic, contact, note}], error?}` where
 * `time` is ISO 8601 and an absent basic, note or contact is null.
 */
export function watchEventJson(e: WatchEvent, time: Date): string {
  const s = e.summary;
  return JSON.stringify({
    time: time.toISOString(),
    state: e.state,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    basic: s?.basic ?? null,
    note: s?.note ?? null,
    activities: s?.activities ?? [],
    tuples: (s?.tuples ?? []).map((t) => ({ id: t.id, basic: t.basic ?? null, contact: t.contact ?? null, note: t.note ?? null })),
    ...(e.error !== undefined ? { error: e.error } : {}),
  });
}

/** A summary in one line: `open — "In a meeting" (activities: busy) [2 tuples]`. */
export function formatSummary(s: PresenceSummary): string {
  const n = s.tuples.length;
  const basic = s.basic ?? (n === 0 ? 'no presence information' : 'unknown');
  const note = s.note !== undefined ? ` — ${JSON.stringify(s.note)}` : '';
  const activities = s.activities.length ? ` (activities: ${s.activities.join(', ')})` : '';
  return `${basic}${note}${activities} [${n} tuple${n === 1 ? '' : 's'}]`;
}

/** The presence shown by a NOTIFY (its summary, or why its body is unreadable); undefined without a body. */
export function describePresence(e: WatchEvent): string | undefined {
  if (e.summary) return formatSummary(e.summary);
  if (e.error !== undefined) return `unreadable presence document (${e.error})`;
  return undefined;
}

/** The subscription state of a NOTIFY worth a line of its own (pending, terminated); undefined for active. */
export function describeState(e: WatchEvent): string | undefined {
  switch (e.state) {
    case 'active':
      return undefined;
    case 'pending':
      // RFC 6665 §4.1.3 (RFC 3857): pending until the presentity decides about this watcher.
      return 'pending: the presentity has not yet allowed this watcher';
    case 'terminated':
      return `subscription terminated${e.reason !== undefined ? ` (reason: ${e.reason})` : ''}`;
    default:
      return `subscription state ${e.state}`;
  }
}

/** Local time of day as HH:MM:SS. */
export function timeOfDay(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A text line of `presenced watch`: `12:01:02 sip:alice@example.com <text>`. */
export function watchLine(time: Date, aor: string, text: string): string {
  return `${timeOfDay(time)} ${aor} ${text}`;
}
