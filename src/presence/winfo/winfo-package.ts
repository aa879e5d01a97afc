import { createHmac } from 'node:crypto';
import type { AuthorizationDecision, EventPackage, ExpiryPolicy, NotifyBody, SubscriptionContext } from '../../events/event-package.js';
import type { SubscriptionLifecycle } from '../../events/notifier/lifecycle.js';
import { SipError } from '../../sip/message/sip-error.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import type { Clock } from '../../util/clock.js';
import { ANONYMOUS_WATCHER } from '../authorization/model.js';
import { identityKey } from '../authorization/uri-match.js';
import { NO_FILTER, SIMPLE_FILTER_TYPE, parseWinfoFilter } from './filter.js';
import type { WinfoFilter } from './filter.js';
import type { WatcherInfoLog, WatcherState } from './watcher-log.js';
import { WATCHERINFO_TYPE, serializeWatcherInfo } from './watcherinfo-document.js';
import type { WatcherElement } from './watcherinfo-document.js';

/** Options of {@link WinfoPackage}. */
export interface WinfoPackageOptions {
  /** The watcher-information log of the watched package. */
  readonly log: WatcherInfoLog;
  /** The watched package, e.g. `presence` (RFC 3857 §3: `presence.winfo` watches `presence`). */
  readonly watchedPackage: string;
  /** The watchers the presentity's rules name (`defined` watchers, TS 23.141 §5.1), canonical AORs. */
  readonly definedWatchers: (presentity: string) => Promise<ReadonlySet<string>>;
  /** Key of the opaque watcher ids (HMAC-SHA-256 of the subscription id); keep it across restarts. */
  readonly idKey: Buffer;
  readonly expires: ExpiryPolicy;
  readonly clock: Clock;
}

/** What was last sent to one winfo subscription (RFC 3858 §4: versions and partial state). */
interface Sent {
  version: number;
  /** The subscriber's CSeq when it was rendered: a new one means a refresh, answered with full state. */
  remoteCSeq: number;
  /** Opaque watcher id -> what its element said (status, event, URI, display name). */
  watchers: Map<string, string>;
  body: Buffer;
}

/**
 * The presence.winfo template package (RFC 3857) with watcherinfo documents (RFC 3858): tells a presentity
 * who watches, fetches or asks for its presence, now and over the kept history (TS 23.141 §5.1).
 *
 * - Authorisation (RFC 3857 §5.2): only the presentity itself may subscribe to or fetch its watcher
 *   information; anyone else gets 403. (Rules granting it to other identities are not supported.)
 * - Documents: full state on the first NOTIFY, on every refresh and after a restart; partial state
 *   otherwise, listing only the watchers whose status, event or identity changed; the version rises by
 *   one per document (RFC 3858 §4), starting at the subscription's NOTIFY count after a restart.
 * - Filters: application/simple-filter+xml bodies as docs/winfo-filters.md says; others get 488
 *   (RFC 4660 §5.4).
 * - Anonymous watchers (issue 5 item 4): shown as `sip:anonymous@anonymous.invalid` with no display name
 *   and an opaque id; the document counts the anonymous subscriptions and fetches in the history.
 */
export class WinfoPackage implements EventPackage {
  readonly name: string;
  readonly notifyTypes = [WATCHERINFO_TYPE];
  readonly subscribeBodyTypes = [SIMPLE_FILTER_TYPE];
  readonly expires: ExpiryPolicy;
  private readonly sent = new Map<string, Sent>();

  constructor(private readonly opts: WinfoPackageOptions) {
    this.name = `${opts.watchedPackage}.winfo`;
    this.expires = opts.expires;
  }

  authorize(ctx: SubscriptionContext): AuthorizationDecision {
    const { record } = ctx;
    // RFC 4660 §5.4: a filter the notifier cannot apply gets 488 (checked on every SUBSCRIBE carrying one).
    if (ctx.request && record.body) {
      const parsed = parseWinfoFilter(record.body.data, record.resource);
      if (!parsed.ok) throw new SipError(488, `Not Acceptable Here: ${parsed.defect}`);
    }
    // RFC 3857 §5.2: watcher information is given to the presentity only.
    return record.watcher === record.resource && record.watcher !== ANONYMOUS_WATCHER ? 'active' : 'rejected';
  }

  async render(ctx: SubscriptionContext): Promise<NotifyBody | undefined> {
    const { record } = ctx;
    const filter = filterOf(record);
    const now = this.opts.clock.now();
    const all = await this.opts.log.watchers(record.resource, filter.historySeconds);
    const shown = await this.select(record.resource, all, filter);
    const before = this.sent.get(record.id);
    const full = !before || before.remoteCSeq !== record.remoteCSeq;
    const elements = shown.map((w) => this.element(w, filter, now));
    const keys = new Map(elements.map((e) => [e.id, `${e.status} ${e.event} ${e.uri} ${e.displayName ?? ''}`]));
    const listed = full ? elements : elements.filter((e) => before.watchers.get(e.id) !== keys.get(e.id));
    // Nothing changed for this subscriber: the same document again, which the notifier does not resend.
    if (!full && listed.length === 0) return { contentType: WATCHERINFO_TYPE, body: before.body };
    const version = before ? before.version + 1 : record.localCSeq;
    const body = serializeWatcherInfo({
      version,
      state: full ? 'full' : 'partial',
      resource: record.resource,
      package: this.opts.watchedPackage,
      watchers: listed,
      anonymousAttempts: shown.filter((w) => w.anonymous).length,
    });
    // A fetch or an ended subscription gets no further document: nothing to remember.
    if (record.expiresAt > now) this.sent.set(record.id, { version, remoteCSeq: record.remoteCSeq, watchers: keys, body });
    else this.sent.delete(record.id);
    return { contentType: WATCHERINFO_TYPE, body };
  }

  /** The notifier's lifecycle steps of winfo subscriptions: an ended one is forgotten. */
  readonly observe = (step: SubscriptionLifecycle): void => {
    if (step.kind === 'terminated' && step.record.event === this.name) this.sent.delete(step.record.id);
  };

  /** TS 23.141 §5.1: all watchers, the defined ones, the new unauthorised (pending) ones, or both. */
  private async select(presentity: string, all: WatcherState[], filter: WinfoFilter): Promise<WatcherState[]> {
    if (filter.watchers === 'all') return all;
    const defined = filter.watchers === 'new' ? new Set<string>() : await this.opts.definedWatchers(presentity);
    const wantNew = filter.watchers !== 'defined';
    const wantDefined = filter.watchers !== 'new';
    return all.filter((w) => (wantNew && w.status === 'pending') || (wantDefined && !w.anonymous && defined.has(identityKey(w.watcher))));
  }

  private element(w: WatcherState, filter: WinfoFilter, now: number): WatcherElement {
    const a = filter.attributes;
    const running = w.status !== 'terminated';
    return {
      // RFC 3858 §3: the id is a token; an HMAC reveals neither the watcher nor the dialog (issue 5 item 4).
      id: createHmac('sha256', this.opts.idKey).update(w.subscriptionId).digest('base64url').slice(0, 22),
      status: w.status,
      event: w.event,
      uri: w.anonymous ? ANONYMOUS_WATCHER : w.watcher,
      ...(a.has('display-name') && w.displayName !== undefined && !w.anonymous ? { displayName: w.displayName } : {}),
      ...(a.has('expiration') && running ? { expiration: Math.max(0, Math.round((w.expiresAt - now) / 1000)) } : {}),
      ...(a.has('duration-subscribed') ? { durationSubscribed: Math.max(0, Math.round(((running ? now : w.changedAt) - w.subscribedAt) / 1000)) } : {}),
    };
  }
}

/** The subscription's accepted filter; a stored one that no longer parses counts as none. */
function filterOf(record: Readonly<SubscriptionRecord>): WinfoFilter {
  if (!record.body) return NO_FILTER;
  const parsed = parseWinfoFilter(record.body.data, record.resource);
  return parsed.ok ? parsed.filter : NO_FILTER;
}
