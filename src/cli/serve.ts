import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { build } from '../server.js';
import { createLogger } from '../util/logger.js';

function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('give a port number from 0 to 65535 (0 picks a free port).');
  return n;
}

interface ServeOptions {
  config?: string;
  host?: string;
  sipPort?: number;
  httpPort?: number;
  tlsPort?: number;
  wsPort?: number;
  wssPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  domain?: string;
  dataDir?: string;
  logLevel?: string;
  auth?: 'digest' | 'none';
}

/** Turns command-line options into a configuration overlay (absent options change nothing). */
function overrides(o: ServeOptions): ConfigInput {
  const tls = o.tlsCert || o.tlsKey ? { cert: o.tlsCert ?? '', key: o.tlsKey ?? '', ...(o.tlsCa ? { ca: o.tlsCa } : {}) } : undefined;
  return {
    domain: o.domain,
    sip: { host: o.host, port: o.sipPort, tlsPort: o.tlsPort, wsPort: o.wsPort, wssPort: o.wssPort, tls },
    http: { port: o.httpPort },
    store: { dataDir: o.dataDir },
    auth: { mode: o.auth },
    log: { level: o.logLevel as 'info' | undefined },
  } as ConfigInput;
}

/** `presenced serve`: runs the server until SIGTERM or SIGINT. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the presence service (SIP on UDP and TCP; TLS and WebSocket by option)')
    .option('-c, --config <file>', 'JSON configuration file; command-line options override it')
    .option('--host <address>', 'address to listen on (default 0.0.0.0, all IPv4 interfaces; :: for IPv6)')
    .option('--sip-port <port>', 'UDP and TCP port for SIP (default 5060)', portOption)
    .option('--tls-port <port>', 'SIP over TLS port (needs --tls-cert and --tls-key)', portOption)
    .option('--ws-port <port>', 'SIP over WebSocket port (RFC 7118, subprotocol "sip")', portOption)
    .option('--wss-port <port>', 'SIP over secure WebSocket port (needs --tls-cert and --tls-key)', portOption)
    .option('--tls-cert <file>', 'PEM certificate chain for TLS and WSS')
    .option('--tls-key <file>', 'PEM private key for TLS and WSS')
    .option('--tls-ca <file>', 'PEM CA bundle for verifying TLS peers')
    .option('--domain <domain>', 'SIP domain served (host part of the users\' addresses; default localhost)')
    .option('--http-port <port>', 'HTTP port of XCAP (Ut, under /xcap) (default 8080)', portOption)
    .option('--data-dir <dir>', 'directory of the SQLite state database (default ./data; created if missing)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .addOption(
      new Option('--auth <mode>', 'digest: challenge REGISTER, and PUBLISH/SUBSCRIBE of the domain\'s users (see `presenced users`); none: believe every From (lab networks only)').choices(['digest', 'none']),
    )
    .action(async (opts: ServeOptions) => {
      const config = loadConfig(opts.config, overrides(opts));
      const logger = createLogger(config.log.level);
      const server = build(config, { logger });
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (e: unknown) => {
            logger.error({ err: e }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      try {
        await server.listen();
      } catch (e) {
        await server.close();
        throw e;
      }
    });
}
