import type { WatcherEvent, WatcherStatus } from '../../store/ports.js';
import { WATCHERINFO_NS } from './filter.js';

/** The content type of watcher information documents (RFC 3858 §9.1). */
export const WATCHERINFO_TYPE = 'application/watcherinfo+xml';
/** Our extension of a watcher list (RFC 3858 §6 allows elements of other namespaces there). */
export const WATCHERINFO_EXT_NS = 'urn:presenced:params:xml:ns:watcherinfo-ext';

/** One `<watcher>` element (RFC 3858 §3). */
export interface WatcherElement {
  /** A token (RFC 3261 §25.1), unique within the subscription's documents (RFC 3858 §3). */
  readonly id: string;
  readonly status: WatcherStatus;
  readonly event: WatcherEvent;
  /** The watcher's URI (its element content). */
  readonly uri: string;
  readonly displayName?: string;
  /** Seconds from now until it expires. */
  readonly expiration?: number;
  /** Seconds since the SUBSCRIBE that created it. */
  readonly durationSubscribed?: number;
}

/** A watcherinfo document with one watcher list. */
export interface WatcherInfoDocument {
  readonly version: number;
  readonly state: 'full' | 'partial';
  /** The watched resource's URI and package (RFC 3858 §3: the watcher-list attributes). */
  readonly resource: string;
  readonly package: string;
  readonly watchers: readonly WatcherElement[];
  /** How many anonymous subscriptions and fetches the listed history holds (issue 5 item 4); omitted when 0. */
  readonly anonymousAttempts: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Serialises a watcherinfo document (RFC 3858 §6 schema), UTF-8. */
export function serializeWatcherInfo(d: WatcherInfoDocument): Buffer {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<watcherinfo xmlns="${WATCHERINFO_NS}" version="${d.version}" state="${d.state}">`,
    `  <watcher-list resource="${esc(d.resource)}" package="${esc(d.package)}">`,
  ];
  for (const w of d.watchers) {
    let attrs = `id="${esc(w.id)}" status="${w.status}" event="${w.event}"`;
    if (w.displayName !== undefined) attrs += ` display-name="${esc(w.displayName)}"`;
    if (w.expiration !== undefined) attrs += ` expiration="${w.expiration}"`;
    if (w.durationSubscribed !== undefined) attrs += ` duration-subscribed="${w.durationSubscribed}"`;
    lines.push(`    <watcher ${attrs}>${esc(w.uri)}</watcher>`);
  }
  if (d.anonymousAttempts > 0) lines.push(`    <anonymous-attempts xmlns="${WATCHERINFO_EXT_NS}" count="${d.anonymousAttempts}"/>`);
  lines.push('  </watcher-list>', '</watcherinfo>', '');
  return Buffer.from(lines.join('\n'), 'utf8');
}
