import type { BindingRecord, PublicationRecord, SubscriberRecord, SubscriptionRecord, XcapDocumentRecord } from '../ports.js';

/**
 * Copies of records for the memory stores, so that neither the caller's object given to a write nor an
 * object returned by a read is ever the stored one. Cheaper than structuredClone: plain objects and
 * arrays are copied; strings are immutable anyway.
 *
 * Buffers: a write copies the body bytes (`ownBytes`), so the store never shares a caller's buffer (nor
 * keeps a larger buffer alive that the body was sliced from); reads hand out the stored Buffer itself,
 * which callers must treat as read-only, like every Buffer the stores return.
 *
 * Optional fields that are undefined are left out, as the SQLite adapter reads them back.
 */

type Flow = NonNullable<SubscriptionRecord['flow']>;

function copyFlow(flow: Flow): Flow {
  const out: Flow = { transport: flow.transport, address: flow.address, port: flow.port };
  if (flow.flowId !== undefined) out.flowId = flow.flowId;
  return out;
}

/** A deep copy of JSON data (null, booleans, numbers, strings, arrays and plain objects). */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copyJson(v);
  return out;
}

/**
 * A copy of a publication's fields with `body` as its body: `r.body` to share it, a copy of it to own the
 * bytes. `r` may hold its body in another form (the SQLite adapter's cache keeps a string).
 */
export function copyPublication(r: Omit<PublicationRecord, 'body'>, body: Buffer): PublicationRecord {
  return {
    etag: r.etag,
    resource: r.resource,
    event: r.event,
    expiresAt: r.expiresAt,
    contentType: r.contentType,
    body,
    source: r.source,
    publisher: r.publisher,
    createdAt: r.createdAt,
    modifiedAt: r.modifiedAt,
  };
}

/** A copy of a subscription; `ownBytes` also copies the body bytes. */
export function copySubscription(r: SubscriptionRecord, ownBytes: boolean): SubscriptionRecord {
  const out: SubscriptionRecord = {
    id: r.id,
    resource: r.resource,
    event: r.event,
    state: r.state,
    watcher: r.watcher,
    callId: r.callId,
    localTag: r.localTag,
    remoteTag: r.remoteTag,
    localUri: r.localUri,
    remoteUri: r.remoteUri,
    remoteTarget: r.remoteTarget,
    routeSet: r.routeSet.slice(),
    localCSeq: r.localCSeq,
    remoteCSeq: r.remoteCSeq,
    secure: r.secure,
    accept: r.accept.slice(),
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
  };
  if (r.eventId !== undefined) out.eventId = r.eventId;
  if (r.watcherDisplayName !== undefined) out.watcherDisplayName = r.watcherDisplayName;
  if (r.flow !== undefined) out.flow = copyFlow(r.flow);
  if (r.body !== undefined) out.body = { contentType: r.body.contentType, data: ownBytes ? Buffer.from(r.body.data) : r.body.data };
  if (r.extra !== undefined) out.extra = copyJson(r.extra) as Record<string, unknown>;
  return out;
}

/** A copy of a binding. */
export function copyBinding(r: BindingRecord): BindingRecord {
  const out: BindingRecord = {
    aor: r.aor,
    contact: r.contact,
    contactHeader: r.contactHeader,
    callId: r.callId,
    cseq: r.cseq,
    expiresAt: r.expiresAt,
    updatedAt: r.updatedAt,
    path: r.path.slice(),
  };
  if (r.instance !== undefined) out.instance = r.instance;
  if (r.regId !== undefined) out.regId = r.regId;
  if (r.q !== undefined) out.q = r.q;
  if (r.flow !== undefined) out.flow = copyFlow(r.flow);
  if (r.userAgent !== undefined) out.userAgent = r.userAgent;
  return out;
}

/** A copy of a subscriber. */
export function copySubscriber(r: SubscriberRecord): SubscriberRecord {
  const out: SubscriberRecord = {
    aor: r.aor,
    username: r.username,
    realm: r.realm,
    ha1Md5: r.ha1Md5,
    ha1Sha256: r.ha1Sha256,
    aliases: r.aliases.slice(),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  if (r.displayName !== undefined) out.displayName = r.displayName;
  return out;
}

/** A copy of an XCAP document; `ownBytes` also copies the body bytes. */
export function copyXcapDocument(r: XcapDocumentRecord, ownBytes: boolean): XcapDocumentRecord {
  return {
    auid: r.auid,
    tree: r.tree,
    xui: r.xui,
    name: r.name,
    body: ownBytes ? Buffer.from(r.body) : r.body,
    etag: r.etag,
    modifiedAt: r.modifiedAt,
  };
}
