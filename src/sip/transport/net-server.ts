import type { AddressInfo, Server } from 'node:net';
import { stripBrackets } from './address.js';
import { asTransportError } from './errors.js';

/**
 * Starts a TCP-based server (net, tls, http or https) on host:port and resolves with the bound address.
 * @throws TransportError with the system code (`EADDRINUSE`, `EADDRNOTAVAIL`, …).
 */
export function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  const address = stripBrackets(host);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(asTransportError(err, `cannot listen on ${address}:${port}`));
    server.once('error', onError);
    server.listen({ host: address, port }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops a server from accepting and resolves once it has closed (its connections are closed by their owner). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
