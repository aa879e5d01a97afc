// The IPC messages between the memory bench driver (run.ts) and the server it measures (server.ts).

/** The driver's requests: a memory reading (after full collections when `collect`), a heap snapshot, stop. */
export type Probe =
  | { id: number; kind: 'read'; collect: boolean }
  | { id: number; kind: 'snapshot'; file: string }
  | { id: number; kind: 'stop' };

/** The measured process's memory, bytes, and its live transactions. */
export interface MemoryReading {
  /** V8 heap in use (process.memoryUsage().heapUsed). */
  heapUsed: number;
  /** V8 heap reserved (committed spaces). */
  heapTotal: number;
  /** Memory of C++ objects bound to JS objects, ArrayBuffers included. */
  external: number;
  /** ArrayBuffers and Buffers (part of `external`). */
  arrayBuffers: number;
  /** VmRSS of /proc/self/status. */
  rss: number;
  /** Pss of /proc/self/smaps_rollup. */
  pss: number;
  /** Used bytes per V8 heap space (new_space, old_space, code_space, ...). */
  spaces: Record<string, number>;
  serverTransactions: number;
  clientTransactions: number;
  /** CPU time the process used so far (user + system), microseconds. */
  cpuUs: number;
}

/** The measured process's answers: ready once listening (id 0), then one per probe. */
export type ProbeReply =
  | { id: 0; ready: true }
  | { id: number; reading: MemoryReading }
  | { id: number; file: string }
  | { id: number; error: string };
