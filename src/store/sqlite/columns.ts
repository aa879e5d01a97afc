import type { SubscriptionRecord } from '../ports.js';

/** Mapping shared by the SQLite stores between record fields and columns. */

/** The flow of a subscription or binding (RFC 5626), as in ../ports.ts. */
export type Flow = NonNullable<SubscriptionRecord['flow']>;

/** The four nullable flow columns; all NULL when the record has no flow. */
export interface FlowColumns {
  flow_transport: string | null;
  flow_address: string | null;
  flow_port: number | null;
  flow_id: string | null;
}

/** The flow columns of an optional flow. */
export function flowColumns(flow: Flow | undefined): FlowColumns {
  return {
    flow_transport: flow?.transport ?? null,
    flow_address: flow?.address ?? null,
    flow_port: flow?.port ?? null,
    flow_id: flow?.flowId ?? null,
  };
}

/** The flow read back from its columns; undefined when there was none. flowId stays absent when NULL. */
export function flowOf(row: FlowColumns): Flow | undefined {
  if (row.flow_transport === null || row.flow_address === null || row.flow_port === null) return undefined;
  const flow: Flow = { transport: row.flow_transport, address: row.flow_address, port: row.flow_port };
  if (row.flow_id !== null) flow.flowId = row.flow_id;
  return flow;
}

/** A JSON array of strings (route set, Accept types, Path) read back. */
export function stringsOf(json: string): string[] {
  return JSON.parse(json) as string[];
}
