/**
 * Storage ports (STYLE habit 2): the interfaces every domain module uses to keep durable state, with
 * adapters in store/memory (tests, volatile) and store/sqlite (the embedded default, WAL) — and later
 * store/redis. Records are plain data (no SIP types), so this layer imports nothing but util.
 *
 * Durability contract: when a write's promise resolves, the state survives a crash of the process
 * (kill -9). A 200 OK is sent only after that. All times are milliseconds since the Unix epoch.
 *
 * Records read are the caller's to change, except their Buffers, which an adapter may share with what it
 * keeps: callers never write into a Buffer read from a store.
 */

/** Where a publication came from (TS 23.141 §5.1 composition precedence). */
export type PublicationSource = 'user' | 'network' | 'external';

/** One event state publication (RFC 3903), keyed by its entity tag. */
export interface PublicationRecord {
  /** The entity tag (RFC 3903 §4.1): globally unique; the key. */
  etag: string;
  /** The presentity's canonical AOR (e.g. `sip:alice@example.com`). */
  resource: string;
  /** The event package, e.g. `presence`. */
  event: string;
  /** When the publication expires (ms). */
  expiresAt: number;
  /** Content-Type of the published document (`type/subtype`, lower case). */
  contentType: string;
  /** The published document as received (the last full state after partial updates). */
  body: Buffer;
  /** What kind of agent published it. */
  source: PublicationSource;
  /** The publisher's identity (From URI, or the authenticated identity), for filters and watcher info. */
  publisher: string;
  /** When the publication was first created (ms). */
  createdAt: number;
  /** When the state was last changed by an initial or modifying PUBLISH (ms); orders composition. */
  modifiedAt: number;
}

/** Publications of every presentity. */
export interface PublicationStore {
  /** The publication with this entity tag, expired or not. */
  get(etag: string): Promise<PublicationRecord | undefined>;
  /** Every publication of a resource for an event, in creation order. */
  listByResource(resource: string, event: string): Promise<PublicationRecord[]>;
  /**
   * Stores `record` and, in the same atomic step, removes the publication `replacing` (the old entity
   * tag of a refresh or modify, RFC 3903 §4.1, which changes the entity tag). Resolves once durable.
   */
  put(record: PublicationRecord, replacing?: string): Promise<void>;
  /** Removes a publication; resolves once durable. Removing an unknown tag does nothing. */
  remove(etag: string): Promise<void>;
  /** Publications whose expiresAt <= now. */
  listExpired(now: number): Promise<PublicationRecord[]>;
  /** Every stored publication (restart recovery). */
  listAll(): Promise<PublicationRecord[]>;
}

/** The notifier's state of one subscription (RFC 6665 §4.2), with its whole dialog (RFC 3261 §12). */
export interface SubscriptionRecord {
  /** Opaque unique id (the key). */
  id: string;
  /** The subscribed resource's canonical AOR. */
  resource: string;
  /** The event package, e.g. `presence` or `presence.winfo`. */
  event: string;
  /** The Event header's `id` parameter, or undefined (RFC 6665 §8.2.1). */
  eventId?: string;
  /** pending | active | terminated (RFC 6665 §4.1.3). */
  state: 'pending' | 'active' | 'terminated';
  /** The watcher's identity (From URI or authenticated identity). */
  watcher: string;
  /** The watcher's display name, if given. */
  watcherDisplayName?: string;
  /** Dialog: Call-ID. */
  callId: string;
  /** Dialog: our tag (the To tag of the 2xx to SUBSCRIBE). */
  localTag: string;
  /** Dialog: the subscriber's tag (From tag of the SUBSCRIBE). */
  remoteTag: string;
  /** Dialog: our URI (To header of the SUBSCRIBE, without tag), as text. */
  localUri: string;
  /** Dialog: the subscriber's URI (From header), as text. */
  remoteUri: string;
  /** Dialog: the subscriber's Contact URI (remote target), as text. */
  remoteTarget: string;
  /** Dialog: route set (Record-Route of the SUBSCRIBE, in order), name-addr texts. */
  routeSet: string[];
  /** Dialog: CSeq of the last NOTIFY we sent (next one uses localCSeq + 1). */
  localCSeq: number;
  /** Dialog: CSeq of the last SUBSCRIBE received in this dialog. */
  remoteCSeq: number;
  /** Whether the dialog is secure (sips Request-URI over TLS). */
  secure: boolean;
  /** The flow the SUBSCRIBE arrived on, to send NOTIFYs back over the same connection (RFC 5626). */
  flow?: { transport: string; address: string; port: number; flowId?: string };
  /** Content types the subscriber accepts, in preference order (`type/subtype`). */
  accept: string[];
  /** Body of the SUBSCRIBE (e.g. an event filter), with its Content-Type, if any. */
  body?: { contentType: string; data: Buffer };
  /** When the subscription expires (ms). */
  expiresAt: number;
  /** When it was created (ms). */
  createdAt: number;
  /** Package-specific state (JSON-serialisable), e.g. the version counter of partial notification. */
  extra?: Record<string, unknown>;
}

/** Subscriptions of every resource. */
export interface SubscriptionStore {
  get(id: string): Promise<SubscriptionRecord | undefined>;
  /** Every subscription of a resource for an event, in creation order. */
  listByResource(resource: string, event: string): Promise<SubscriptionRecord[]>;
  /**
   * Inserts or replaces by id; resolves once durable. A replace never lowers the stored localCSeq: a
   * record read before a {@link SubscriptionStore.nextLocalCSeq} and put back afterwards keeps the raised
   * value, so no NOTIFY reuses a CSeq (RFC 3261 §12.2.1.1: CSeq numbers strictly increase in a dialog).
   */
  put(record: SubscriptionRecord): Promise<void>;
  /**
   * Atomically raises localCSeq by one and returns the new value (the CSeq of the next NOTIFY); resolves
   * once durable, so a restart never reuses a CSeq. Undefined when the subscription is gone. After a crash
   * the next value may lie further above the last one handed out (an adapter may store a mark ahead of it;
   * RFC 3261 §12.2.2: the subscriber accepts the gap); after a graceful close it is the last one + 1.
   */
  nextLocalCSeq(id: string): Promise<number | undefined>;
  /** Removes a subscription; unknown ids do nothing. */
  remove(id: string): Promise<void>;
  /** Subscriptions whose expiresAt <= now. */
  listExpired(now: number): Promise<SubscriptionRecord[]>;
  /** Every stored subscription (restart recovery). */
  listAll(): Promise<SubscriptionRecord[]>;
}

/** One registrar binding (RFC 3261 §10.3), with the flow data of RFC 5626. */
export interface BindingRecord {
  /** The address-of-record, canonical (e.g. `sip:alice@example.com`). */
  aor: string;
  /** The Contact URI as registered (text). */
  contact: string;
  /** The whole Contact header value as registered (with q, expires, +sip.instance, …). */
  contactHeader: string;
  /** +sip.instance (RFC 5626 §4.1), without quotes and angle brackets, or undefined. */
  instance?: string;
  /** reg-id (RFC 5626 §4.2), or undefined. */
  regId?: number;
  /** q value 0-1 (RFC 3261 §20.10), or undefined. */
  q?: number;
  /** Call-ID of the REGISTER that made or last refreshed the binding. */
  callId: string;
  /** CSeq of that REGISTER. */
  cseq: number;
  /** When the binding expires (ms). */
  expiresAt: number;
  /**
   * When the binding was made or last refreshed (ms): bindings of equal q are tried newest first (RFC 5626
   * §6: the registrar SHOULD update the time the binding was last updated).
   */
  updatedAt: number;
  /** The flow the REGISTER arrived on, to reach the UA over the same connection (RFC 5626 §5.3). */
  flow?: { transport: string; address: string; port: number; flowId?: string };
  /** Path header values of the REGISTER (RFC 3327), in order. */
  path: string[];
  /** User-Agent header of the REGISTER, if any. */
  userAgent?: string;
}

/**
 * The key of a binding within its AOR: the instance-id and reg-id when both are present (RFC 5626 §6:
 * the binding is between the AOR and that pair, so one UA instance may register the same Contact URI
 * over several flows, one per reg-id), else the Contact URI (RFC 3261 §10.3). The two forms never collide.
 */
export function bindingKey(binding: Pick<BindingRecord, 'contact' | 'instance' | 'regId'>): string {
  const { instance, regId } = binding;
  return instance !== undefined && regId !== undefined ? `i:${regId}:${instance}` : `c:${binding.contact}`;
}

/** Registrar bindings. A binding is keyed by its aor and {@link bindingKey}. */
export interface BindingStore {
  /** Every binding of an AOR, expired or not. */
  listByAor(aor: string): Promise<BindingRecord[]>;
  /**
   * Replaces every binding of `aor` with `bindings` in one atomic step (a REGISTER is applied whole,
   * RFC 3261 §10.3 step 8); resolves once durable. Rejects, changing nothing, when a binding names
   * another aor or two bindings have the same {@link bindingKey}.
   */
  replaceAor(aor: string, bindings: BindingRecord[]): Promise<void>;
  /** Bindings whose expiresAt <= now. */
  listExpired(now: number): Promise<BindingRecord[]>;
  /** Removes one binding, by aor and {@link bindingKey}; an unknown key does nothing. */
  remove(aor: string, key: string): Promise<void>;
}

/**
 * A subscriber of the home network: the HSS's user data (TS 23.141 §4.3, Ph/Px) that presenced keeps —
 * identities and digest credentials. Only HA1 values are stored, never the password (RFC 3261 §22.4,
 * RFC 7616 §3.4.2).
 */
export interface SubscriberRecord {
  /** The primary public user identity, canonical AOR (the key), e.g. `sip:alice@example.com`. */
  aor: string;
  /** The digest username (the private identity), unique within its realm. */
  username: string;
  /** The digest realm the HA1 values were computed for. */
  realm: string;
  /** H(username:realm:password) with MD5, lower-case hex (RFC 7616 §3.4.2). */
  ha1Md5: string;
  /** H(username:realm:password) with SHA-256, lower-case hex (RFC 7616 §3.4.2). */
  ha1Sha256: string;
  /** Further public identities of the subscriber (canonical AORs, e.g. `tel:+15551234567`), in order. */
  aliases: string[];
  /** Display name, if known. */
  displayName?: string;
  /** When the subscriber was added (ms). */
  createdAt: number;
  /** When the record was last changed (ms). */
  updatedAt: number;
}

/**
 * The subscriber registry (HSS seed). Every identity — the AOR and each alias — belongs to at most one
 * subscriber, and so does each (username, realm) pair. Strings order by Unicode code point (the byte order
 * of their UTF-8), in every adapter.
 */
export interface SubscriberStore {
  /** The subscriber whose primary identity is `aor`. */
  get(aor: string): Promise<SubscriberRecord | undefined>;
  /** The subscriber with this digest username in this realm. */
  findByUsername(username: string, realm: string): Promise<SubscriberRecord | undefined>;
  /** The subscriber one of whose identities (its AOR or an alias) this is. */
  findByIdentity(identity: string): Promise<SubscriberRecord | undefined>;
  /**
   * Inserts, or replaces the subscriber with the same AOR; resolves once durable.
   * Rejects with StoreError `ERR_STORE_CONFLICT`, changing nothing, when the username/realm or an identity
   * belongs to another subscriber, or when the record names one identity twice.
   */
  put(record: SubscriberRecord): Promise<void>;
  /**
   * Puts `records` in order (a later record with the same AOR replaces an earlier one) in one atomic step:
   * all or nothing (bulk import). Rejects like `put`, changing nothing, if any of them would be refused.
   */
  putMany(records: readonly SubscriberRecord[]): Promise<void>;
  /** Removes a subscriber with all its identities; resolves true when there was one. */
  remove(aor: string): Promise<boolean>;
  /** Subscribers ordered by AOR, those after `after` (exclusive) only, at most `limit` (>= 1). */
  list(opts: { after?: string; limit: number }): Promise<SubscriberRecord[]>;
  /** How many subscribers there are. */
  count(): Promise<number>;
}

/** The two XCAP trees (RFC 4825 §6.2). */
export type XcapTree = 'users' | 'global';

/**
 * One XCAP document (RFC 4825 §6.2): `<xcap-root>/<auid>/<tree>/<xui>/<name>`, or in the global tree
 * `<xcap-root>/<auid>/global/<name>`. Its key is (auid, tree, xui, name).
 */
export interface XcapDocumentRecord {
  /** Application usage id, e.g. `pres-rules`, `resource-lists`. */
  auid: string;
  tree: XcapTree;
  /** The XCAP user id (the owner's canonical AOR) in the users tree; '' in the global tree. */
  xui: string;
  /** Document path below the user's (or global) directory, e.g. `index` or `dir/doc.xml`. */
  name: string;
  /** The document, UTF-8 XML. */
  body: Buffer;
  /** Strong entity tag of this version (RFC 4825 §7.11), without quotes. */
  etag: string;
  /** When this version was stored (ms). */
  modifiedAt: number;
}

/**
 * Where XCAP documents live. Writes are conditional on the current version's entity tag, checked and
 * applied in one atomic step, so that concurrent changes never get lost (RFC 4825 §7.11, §8.2.5).
 */
export interface XcapDocumentStore {
  /** The document with this key. */
  get(auid: string, tree: XcapTree, xui: string, name: string): Promise<XcapDocumentRecord | undefined>;
  /**
   * Stores `record` (replacing the document with its key) if the current version's entity tag is
   * `expectedEtag`; with `undefined` the document must not exist yet; with `null` whatever is there is
   * replaced. Resolves true once durable, false (nothing changed) when the condition did not hold.
   */
  put(record: XcapDocumentRecord, expectedEtag: string | null | undefined): Promise<boolean>;
  /**
   * Removes a document if its entity tag is `expectedEtag` (`null`: whatever version it is). Resolves true
   * once durably removed, false (nothing changed) when there was no such document or the tag differed.
   */
  remove(auid: string, tree: XcapTree, xui: string, name: string, expectedEtag: string | null): Promise<boolean>;
  /**
   * Every document of an application usage in both trees, or only those of user `xui` when given (`''`:
   * the global tree's), ordered by xui, then name, then tree (code point order).
   */
  list(auid: string, xui?: string): Promise<XcapDocumentRecord[]>;
}

/** A watcher's subscription status in watcher information (RFC 3857 §3.2.2). */
export type WatcherStatus = 'pending' | 'active' | 'waiting' | 'terminated';

/** The event that caused a watcher's last transition (RFC 3857 §3.2.3, RFC 3858 §3). */
export type WatcherEvent = 'subscribe' | 'approved' | 'deactivated' | 'probation' | 'rejected' | 'timeout' | 'giveup' | 'noresource';

/**
 * One entry of the watcher-information log (TS 23.141 §5.1): a step in the life of one subscription or
 * fetch to a presentity's event package, as the presentity may learn it. Anonymous watchers are logged
 * under the anonymous identity only; their real identity is never stored here.
 */
export interface WatcherInfoRecord {
  /** The watched presentity's canonical AOR. */
  presentity: string;
  /** The watched event package, e.g. `presence`. */
  package: string;
  /** The subscription's id (its local tag); a fetch has its own. */
  subscriptionId: string;
  /** The watcher's identity (canonical AOR, or `sip:anonymous@anonymous.invalid`). */
  watcher: string;
  /** The watcher's display name, if it gave one (never for an anonymous watcher). */
  displayName?: string;
  /** True for a fetch (RFC 6665 §4.4.3: a SUBSCRIBE with Expires 0). */
  fetch: boolean;
  status: WatcherStatus;
  event: WatcherEvent;
  /** When the subscription was created (ms). */
  subscribedAt: number;
  /** When the subscription expires (ms); at most `at` once terminated. */
  expiresAt: number;
  /** When this step happened (ms). */
  at: number;
}

/** The watcher-information log with its history (TS 23.141 §5.1: current and past watchers). */
export interface WatcherInfoStore {
  /** Appends an entry; resolves once durable. */
  append(record: WatcherInfoRecord): Promise<void>;
  /** The entries of `presentity`'s package `pkg` with `at >= since`, in the order they were appended. */
  listByPresentity(presentity: string, pkg: string, since: number): Promise<WatcherInfoRecord[]>;
  /** Removes every entry (of any presentity) with `at < before`; resolves to how many were removed, once durable. */
  purgeBefore(before: number): Promise<number>;
}

/** All stores of one deployment, and their lifecycle. */
export interface Stores {
  readonly publications: PublicationStore;
  readonly subscriptions: SubscriptionStore;
  readonly bindings: BindingStore;
  readonly subscribers: SubscriberStore;
  readonly xcapDocuments: XcapDocumentStore;
  readonly watcherInfo: WatcherInfoStore;
  /** Flushes and releases the backing storage. Safe to call twice. */
  close(): Promise<void>;
}
