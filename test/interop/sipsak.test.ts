import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, run, startServe } from './support.js';
import type { ServeProcess } from './support.js';

// sipsak (Debian package sipsak) sends its OPTIONS ping to `presenced serve`.
describe('sipsak against presenced serve', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServe();
  });
  after(async () => {
    await server.stop();
  });

  for (const transport of ['udp', 'tcp']) {
    test(`sipsak OPTIONS ping over ${transport} gets 200 OK`, async () => {
      const local = await freePort();
      const r = await run('sipsak', ['-vv', '-l', String(local), '-H', '127.0.0.1', '-E', transport, '-s', `sip:ping@127.0.0.1:${server.port}`], 30_000);
      assert.equal(r.code, 0, `sipsak exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /200 OK/);
      assert.match(r.stdout, /Allow: .*OPTIONS/);
    });
  }
});
