import type { BindingRecord, PublicationRecord, SubscriberRecord, SubscriptionRecord, WatcherInfoRecord, XcapDocumentRecord } from '../../src/store/ports.js';

/** Records for the store contract. Times are ms around a fixed epoch. */

export const T0 = 1_700_000_000_000;

/** Every byte value once, then bytes that are not valid UTF-8 (a lone continuation byte, an overlong NUL). */
export const ODD_BYTES = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0x80, 0xc3, 0x28, 0xc0, 0x80, 0xff])]);

/** A publication of `resource` for presence, numbered `n`. */
export function publication(n: number, over: Partial<PublicationRecord> = {}): PublicationRecord {
  return {
    etag: `etag-${n}`,
    resource: 'sip:alice@example.com',
    event: 'presence',
    expiresAt: T0 + 3_600_000,
    contentType: 'application/pidf+xml',
    body: Buffer.from(`<presence entity="sip:alice@example.com"><tuple id="t${n}"/></presence>`),
    source: 'user',
    publisher: 'sip:alice@example.com',
    createdAt: T0 + n,
    modifiedAt: T0 + n,
    ...over,
  };
}

/** A subscription without any optional field. */
export function subscription(n: number, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: `sub-${n}`,
    resource: 'sip:alice@example.com',
    event: 'presence',
    state: 'active',
    watcher: `sip:watcher${n}@example.org`,
    callId: `call-${n}@192.0.2.1`,
    localTag: `lt${n}`,
    remoteTag: `rt${n}`,
    localUri: 'sip:alice@example.com',
    remoteUri: `sip:watcher${n}@example.org`,
    remoteTarget: `sip:watcher${n}@192.0.2.1:5060;transport=tcp`,
    routeSet: [],
    localCSeq: 0,
    remoteCSeq: 1,
    secure: false,
    accept: [],
    expiresAt: T0 + 3_600_000,
    createdAt: T0 + n,
    ...over,
  };
}

/** A subscription with every optional field present. */
export function fullSubscription(n: number, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return subscription(n, {
    eventId: `id${n}`,
    state: 'pending',
    watcherDisplayName: 'Zoë "the watcher" 日本',
    routeSet: ['<sip:p1.example.net;lr>', '<sip:p2.example.net;lr;ob>'],
    localCSeq: 7,
    remoteCSeq: 42,
    secure: true,
    flow: { transport: 'TLS', address: '2001:db8::1', port: 5061, flowId: `flow-${n}` },
    accept: ['application/pidf+xml', 'application/rlmi+xml'],
    body: { contentType: 'application/simple-filter+xml', data: Buffer.from(ODD_BYTES) },
    extra: { version: 3, nested: { list: [1, 'two', null, true, { deep: 'x' }] }, empty: {} },
    ...over,
  });
}

/** A binding of alice without any optional field (keyed by its Contact). */
export function binding(n: number, over: Partial<BindingRecord> = {}): BindingRecord {
  return {
    aor: 'sip:alice@example.com',
    contact: `sip:alice@192.0.2.${n}:5060`,
    contactHeader: `<sip:alice@192.0.2.${n}:5060>;expires=3600`,
    callId: `reg-${n}@192.0.2.${n}`,
    cseq: n,
    expiresAt: T0 + 3_600_000,
    updatedAt: T0,
    path: [],
    ...over,
  };
}

/** A binding with every optional field present (keyed by instance-id and reg-id, RFC 5626 §6). */
export function outboundBinding(regId: number, over: Partial<BindingRecord> = {}): BindingRecord {
  const instance = 'urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF';
  return binding(9, {
    contact: 'sip:bob@192.0.2.2;transport=tcp',
    contactHeader: `<sip:bob@192.0.2.2;transport=tcp>;reg-id=${regId};+sip.instance="<${instance}>"`,
    instance,
    regId,
    q: 0.5,
    flow: { transport: 'TCP', address: '192.0.2.2', port: 40000 + regId },
    path: ['<sip:wazHDLdIMtUg6r0I@ep1.example.com;lr;ob>'],
    userAgent: 'Bob phone/1.0',
    updatedAt: T0 + 5,
    ...over,
  });
}

/** A subscriber `user<n>@example.com` without aliases or display name; HA1 values are fixed hex strings. */
export function subscriber(n: number, over: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return {
    aor: `sip:user${n}@example.com`,
    username: `user${n}`,
    realm: 'example.com',
    ha1Md5: n.toString(16).padStart(32, '0'),
    ha1Sha256: n.toString(16).padStart(64, 'f'),
    aliases: [],
    createdAt: T0 + n,
    updatedAt: T0 + n,
    ...over,
  };
}

/** A subscriber with aliases and a display name. */
export function fullSubscriber(n: number, over: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return subscriber(n, {
    aliases: [`tel:+1555000${n}`, `sip:u${n}.alias@example.com`, `sip:+1555000${n}@example.com;user=phone`],
    displayName: 'Zoë "the user" 日本',
    ...over,
  });
}

/** A pres-rules document of user `n` in the users tree, etag `e<n>`. */
export function xcapDocument(n: number, over: Partial<XcapDocumentRecord> = {}): XcapDocumentRecord {
  return {
    auid: 'pres-rules',
    tree: 'users',
    xui: `sip:user${n}@example.com`,
    name: 'index',
    body: Buffer.from(`<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="r${n}"/></ruleset>`),
    etag: `e${n}`,
    modifiedAt: T0 + n,
    ...over,
  };
}

/** `records` sorted by a key, to compare lists whose order the ports leave open. */
export function sortedBy<R>(records: R[], key: (r: R) => string): R[] {
  return records.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Watcher-information log entry `n` of Alice's presence (Bob's subscription `sub-n`, pending at T0 + n). */
export function watcherInfo(n: number, over: Partial<WatcherInfoRecord> = {}): WatcherInfoRecord {
  return {
    presentity: 'sip:alice@example.com',
    package: 'presence',
    subscriptionId: `sub-${n}`,
    watcher: 'sip:bob@example.com',
    fetch: false,
    status: 'pending',
    event: 'subscribe',
    subscribedAt: T0,
    expiresAt: T0 + 3_600_000,
    at: T0 + n,
    ...over,
  };
}
