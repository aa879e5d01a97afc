import { RFC5118_CASES } from './rfc5118-table.js';
import { runTortureTable } from './torture.js';

// RFC 5118: IPv6 references in SIP messages parse or are rejected as the RFC says.
runTortureTable('rfc5118', RFC5118_CASES);
