import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { LocalIdentity } from '../sip/core/local-identity.js';
import type { TransportLayer } from '../sip/transport/transport-layer.js';
import type { TransportName } from '../sip/transport/types.js';

/** A bound listening point, as reported by `PresencedServer.listen`. */
export interface ListeningPoint {
  transport: TransportName | 'HTTP';
  address: string;
  /** The bound port (the real one when the configuration asked for port 0). */
  port: number;
}

/** Binds the configured listeners (or LOOP only, in-process), registering each with the identity. */
export async function bindAll(
  config: Readonly<Config>,
  inProcess: boolean,
  transport: TransportLayer,
  identity: LocalIdentity,
  logger: Logger,
): Promise<ListeningPoint[]> {
  const { sip } = config;
  const tls = sip.tls
    ? {
        cert: readFileSync(sip.tls.cert),
        key: readFileSync(sip.tls.key),
        ...(sip.tls.ca ? { ca: readFileSync(sip.tls.ca) } : {}),
      }
    : undefined;
  const specs: Array<{ transport: TransportName; port: number }> = [];
  if (inProcess) specs.push({ transport: 'LOOP', port: sip.port });
  else {
    specs.push({ transport: 'UDP', port: sip.port }, { transport: 'TCP', port: sip.port });
    if (sip.tlsPort !== undefined) specs.push({ transport: 'TLS', port: sip.tlsPort });
    if (sip.wsPort !== undefined) specs.push({ transport: 'WS', port: sip.wsPort });
    if (sip.wssPort !== undefined) specs.push({ transport: 'WSS', port: sip.wssPort });
  }
  const bound: ListeningPoint[] = [];
  let udpPort: number | undefined;
  for (const spec of specs) {
    if ((spec.transport === 'TLS' || spec.transport === 'WSS') && !tls) {
      throw new Error(`sip.${spec.transport === 'TLS' ? 'tlsPort' : 'wssPort'} needs sip.tls.cert and sip.tls.key`);
    }
    // UDP and TCP share one port number; with port 0 TCP takes the port UDP was given.
    const port = spec.transport === 'TCP' && sip.port === 0 && udpPort !== undefined ? udpPort : spec.port;
    const lp = await transport.listen({ transport: spec.transport, host: sip.host, port, ...(tls ? { tls } : {}) });
    if (spec.transport === 'UDP') udpPort = lp.port;
    identity.addListener(lp.address, lp.port, lp.transport);
    bound.push({ transport: lp.transport, address: lp.address, port: lp.port });
    logger.info({ transport: lp.transport, address: lp.address, port: lp.port }, 'listening');
  }
  return bound;
}
