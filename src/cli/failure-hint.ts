/** What a failure hint may mention: the request, the server and transport used, and whether credentials were given. */
export interface HintContext {
  readonly method: 'PUBLISH' | 'SUBSCRIBE';
  /** The `--server` value as the user gave it, e.g. `127.0.0.1:5060`. */
  readonly server: string;
  readonly transport: 'UDP' | 'TCP';
  readonly credentials: boolean;
}

/**
 * How to fix a refused PUBLISH or SUBSCRIBE, in one sentence for the user of `presenced publish` or
 * `presenced watch`; undefined when there is nothing useful to add to the status and reason.
 * 408 and 503 are also what the client reports for no answer and for a transport failure
 * (RFC 3261 §8.1.3.1).
 */
export function failureHint(status: number, ctx: HintContext): string | undefined {
  switch (status) {
    case 400:
      return 'the server found the request malformed; the reason above names the defect';
    case 401:
    case 407:
      return ctx.credentials
        ? 'the server refused the credentials: check --user and --password'
        : 'the server asks for credentials: give --user and --password';
    case 403:
      return ctx.method === 'PUBLISH'
        ? 'the server does not let this identity publish for that address'
        : 'the server does not let this watcher see that presentity (try --from with another address)';
    case 404:
      return 'the server does not serve that address: check the user and the domain (see presenced serve --domain)';
    case 408:
      return `no answer from ${ctx.server} over ${ctx.transport.toLowerCase()}: is presenced serve running there? (check --server and --transport)`;
    case 413:
      return 'the presence document is too large for the server: shorten --note';
    case 415:
      return 'the server does not accept application/pidf+xml documents';
    case 423:
      return 'the requested interval is too short: use --expires of at least the server\'s Min-Expires';
    case 489:
      return 'the server does not support presence (no "presence" event package): point --server at a presence server';
    case 503:
      return `could not reach ${ctx.server} over ${ctx.transport.toLowerCase()}, or it is overloaded: check --server and --transport, or retry later`;
    default:
      return undefined;
  }
}
