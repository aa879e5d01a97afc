/**
 * Child process of sqlite-crash.test.ts (not a test itself): writes publications and subscriptions to
 * the SQLite file given as argv[2], one at a time, and prints one line per write after its promise
 * resolved, until killed or `argv[3]` rounds are done. Lines: `written pub <etag>`,
 * `written sub <id>`, `written cseq <id> <value>`, then `done`. Each round also takes a CSeq of sub-0,
 * which so runs through several reserved blocks.
 */
import { openSqliteStores } from '../../../src/store/sqlite/sqlite-stores.js';
import { publication, subscription } from '../../contracts/fixtures.js';

const [path, rounds] = process.argv.slice(2);
const stores = openSqliteStores(path!);
for (let i = 0; i < Number(rounds); i++) {
  const pub = publication(i, { body: Buffer.from([i & 0xff, 0xff, 0x00, 0xc3]) });
  await stores.publications.put(pub);
  process.stdout.write(`written pub ${pub.etag}\n`);
  const sub = subscription(i);
  await stores.subscriptions.put(sub);
  process.stdout.write(`written sub ${sub.id}\n`);
  const cseq = await stores.subscriptions.nextLocalCSeq(sub.id);
  process.stdout.write(`written cseq ${sub.id} ${cseq}\n`);
  const first = await stores.subscriptions.nextLocalCSeq('sub-0');
  process.stdout.write(`written cseq sub-0 ${first}\n`);
}
await stores.close();
process.stdout.write('done\n');
