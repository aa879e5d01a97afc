import type { Flow } from '../../sip/transport/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';

/** The flow of a subscription record (RFC 5626: the flow its NOTIFYs go back on). */
export type RecordFlow = NonNullable<SubscriptionRecord['flow']>;

/** Most entries each table of {@link RecordParts} keeps (it starts again when full). */
const TABLE_LIMIT = 1024;

/**
 * A copy of `text` that keeps nothing else alive. A string cut from a message (V8 keeps a substring as a
 * view of the whole text) or built by concatenation (a tree of the pieces) would hold the SUBSCRIBE's
 * header section, or its pieces, in memory for as long as the subscription lasts.
 */
export function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * `data`, copied into memory of its own when it is a view of a larger buffer (the datagram a SUBSCRIBE
 * came in, or Node's shared pool of small buffers), which it would otherwise keep alive.
 */
export function detachedBytes(data: Buffer): Buffer {
  if (data.byteLength === data.buffer.byteLength) return data;
  const copy = Buffer.allocUnsafeSlow(data.byteLength);
  data.copy(copy);
  return copy;
}

/**
 * The parts many subscription records have in common, one copy for all of them (the notifier keeps every
 * running subscription's record in memory): their `extra` entries (the local target, which is one of this
 * server's few addresses, and the agreed rates), the negotiated lists of NOTIFY types (a list built by
 * `filter` has room for 17 entries: 152 bytes), and the flows subscriptions came over (all of them,
 * behind a proxy). What it gives is frozen: records never change their parts in place, they get new ones.
 * Each table is bounded; a full one starts again (records keep the parts they have).
 */
export class RecordParts {
  private readonly extras = new Map<string, Record<string, unknown>>();
  private readonly acceptLists = new Map<string, string[]>();
  private readonly flows = new Map<string, RecordFlow>();

  /** One frozen copy of each distinct `extra` (JSON data, as the stores keep it). */
  extra(extra: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (extra === undefined) return undefined;
    const key = JSON.stringify(extra);
    let shared = this.extras.get(key);
    if (!shared) {
      shared = deepFreeze(JSON.parse(key) as Record<string, unknown>);
      bounded(this.extras).set(key, shared);
    }
    return shared;
  }

  /** The negotiated NOTIFY types, preferred first, as one frozen list per distinct list. */
  accept(types: readonly string[]): string[] {
    const key = types.join('\n');
    let list = this.acceptLists.get(key);
    if (!list) {
      list = Object.freeze(types.map(detached)) as string[];
      bounded(this.acceptLists).set(key, list);
    }
    return list;
  }

  /** The record flow of `flow`: the source of the SUBSCRIBE and its connection, one frozen object per flow. */
  flow(flow: Flow): RecordFlow {
    let f = this.flows.get(flow.id);
    if (!f || f.transport !== flow.transport || f.address !== flow.remoteAddress || f.port !== flow.remotePort) {
      const flowId = detached(flow.id);
      f = Object.freeze({ transport: detached(flow.transport), address: detached(flow.remoteAddress), port: flow.remotePort, flowId });
      bounded(this.flows).set(flowId, f);
    }
    return f;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function bounded<K, V>(table: Map<K, V>): Map<K, V> {
  if (table.size >= TABLE_LIMIT) table.clear();
  return table;
}
