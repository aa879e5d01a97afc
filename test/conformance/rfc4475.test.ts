import { RFC4475_CASES } from './rfc4475-table.js';
import { runTortureTable } from './torture.js';

// RFC 4475: each message parses or is rejected as the RFC says, and valid ones survive re-serialisation.
runTortureTable('rfc4475', RFC4475_CASES);
