import type { SendTarget } from '../../../src/sip/transport/types.js';

/** The served domain of the scenarios: every user is `sip:<name>@home1.net`. */
export const DOMAIN = 'home1.net';

/** Where the presence server listens on the LOOP network. */
export const PS: SendTarget = { transport: 'LOOP', address: 'ps.home1.net', port: 5060 };

/** A user's address-of-record. */
export function aorOf(name: string): string {
  return `sip:${name}@${DOMAIN}`;
}
