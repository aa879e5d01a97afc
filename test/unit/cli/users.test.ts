import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { usersCommand } from '../../../src/cli/users.js';
import type { UsersIo } from '../../../src/cli/users.js';
import { validateConfig } from '../../../src/config/load.js';
import { build } from '../../../src/server.js';
import { DigestClient } from '../../../src/sip/auth/digest-client.js';
import { LoopNetwork } from '../../../src/sip/transport/loop.js';
import { openSqliteStores } from '../../../src/store/sqlite/sqlite-stores.js';
import { SipPeer } from '../../support/sip-peer.js';

// `presenced users` in-process, on a real data directory (SQLite), as serve opens it.

const root = mkdtempSync(join(tmpdir(), 'presenced-users-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `d${dirs++}`);

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): Writable & { text: string; isTTY?: boolean } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string; isTTY?: boolean };
  w.text = '';
  return w;
}

/** Runs `presenced users <args>`; resolves with the exit status (0 when the command returned) and output. */
async function users(args: string[], opts: { stdin?: string; tty?: boolean } = {}): Promise<Result> {
  const stdout = sink();
  const stderr = sink();
  if (opts.tty) stderr.isTTY = true;
  const io: UsersIo = {
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    stdout,
    stderr,
    exit: (code) => {
      throw new Exit(code);
    },
  };
  try {
    await usersCommand(io).parseAsync(args, { from: 'user' });
    return { code: 0, stdout: stdout.text, stderr: stderr.text };
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, stdout: stdout.text, stderr: stderr.text };
    throw e;
  }
}

async function stored(dir: string, aor: string) {
  const stores = openSqliteStores(join(dir, 'presenced.db'));
  try {
    return await stores.subscribers.get(aor);
  } finally {
    await stores.close();
  }
}

test('users add, list (text and JSON without HA1), passwd and remove on the data directory', async () => {
  const dir = freshDir();
  const at = ['--data-dir', dir, '--domain', 'example.com'];
  const add = await users(['add', 'sip:alice@EXAMPLE.com', '--password', 'pw1', '--alias', 'tel:+1-555-0100', '--alias', 'sip:al@example.com', '--display-name', 'Alice', ...at]);
  assert.deepEqual(add, { code: 0, stdout: 'added sip:alice@example.com (username alice, realm example.com)\n', stderr: '' });
  assert.equal((await stored(dir, 'sip:alice@example.com'))!.ha1Md5, md5('alice:example.com:pw1'));
  assert.equal((await users(['add', 'sip:bob@example.com', '--password', 'pw2', '--username', 'bobby', ...at])).code, 0);

  const list = await users(['list', ...at]);
  assert.equal(list.code, 0);
  assert.equal(list.stdout, 'sip:alice@example.com  username alice  aliases tel:+15550100, sip:al@example.com  "Alice"\nsip:bob@example.com  username bobby\n');
  const json = (await users(['list', '--json', ...at])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(json.map((j) => Object.keys(j).sort()), [
    ['aliases', 'aor', 'createdAt', 'displayName', 'realm', 'updatedAt', 'username'],
    ['aliases', 'aor', 'createdAt', 'realm', 'updatedAt', 'username'],
  ]);
  assert.deepEqual(json[0]!.aliases, ['tel:+15550100', 'sip:al@example.com']);

  assert.deepEqual(await users(['passwd', 'sip:alice@example.com', '--password', 'new', ...at]), { code: 0, stdout: 'password of sip:alice@example.com set\n', stderr: '' });
  assert.equal((await stored(dir, 'sip:alice@example.com'))!.ha1Sha256, createHash('sha256').update('alice:example.com:new').digest('hex'));
  assert.deepEqual(await users(['remove', 'sip:bob@example.com', ...at]), { code: 0, stdout: 'removed sip:bob@example.com\n', stderr: '' });
  assert.equal(await stored(dir, 'sip:bob@example.com'), undefined);
  const empty = await users(['list', ...freshArgs()]);
  assert.deepEqual(empty, { code: 0, stdout: '', stderr: 'no subscribers\n' });
});

function freshArgs(): string[] {
  return ['--data-dir', freshDir()];
}

test('--password-stdin reads one line; the realm comes from the configuration file', async () => {
  const dir = freshDir();
  const config = join(root, 'realm.json');
  writeFileSync(config, JSON.stringify({ domain: 'example.com', auth: { realm: 'presence.example.com' }, store: { dataDir: dir } }));
  const r = await users(['add', 'sip:carol@example.com', '--password-stdin', '--config', config], { stdin: 'from stdin\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stored(dir, 'sip:carol@example.com'))!.ha1Md5, md5('carol:presence.example.com:from stdin'));
});

test('refusals exit 1 with the reason; usage errors exit 2', async () => {
  const at = freshArgs();
  await users(['add', 'sip:alice@localhost', '--password', 'pw', ...at]);
  const again = await users(['add', 'sip:alice@localhost', '--password', 'pw', ...at]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'presenced users: sip:alice@localhost is already a subscriber\n');
  const unknown = await users(['remove', 'sip:nobody@localhost', ...at]);
  assert.deepEqual([unknown.code, unknown.stderr], [1, 'presenced users: sip:nobody@localhost is not a subscriber\n']);
  assert.equal((await users(['passwd', 'sip:nobody@localhost', '--password', 'x', ...at])).code, 1);
  assert.match((await users(['add', 'sip:x@localhost', '--password', '', ...at])).stderr, /the password is empty/);
  const none = await users(['add', 'sip:x@localhost', ...at]);
  assert.deepEqual([none.code, none.stderr], [2, 'presenced users: error: give the password with --password <pw> or --password-stdin\n']);
  assert.equal((await users(['add', 'sip:x@localhost', '--password', 'a', '--password-stdin', ...at], { stdin: 'b' })).code, 2);
  const option = await users(['add', 'sip:x@localhost', '--pasword', 'a', ...at]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--pasword'/);
  const memory = join(root, 'memory.json');
  writeFileSync(memory, JSON.stringify({ store: { kind: 'memory' } }));
  assert.match((await users(['list', '--config', memory])).stderr, /need the SQLite store/);
});

test('users import: plain counts on a non-terminal, a progress bar on a terminal, defects by line', async () => {
  const dir = freshDir();
  const csv = join(root, 'users.csv');
  const rows = Array.from({ length: 1200 }, (_, i) => `sip:u${i}@localhost,pw${i}`);
  writeFileSync(csv, `aor,password\n${rows.join('\n')}\n`);
  const plain = await users(['import', csv, '--data-dir', dir]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'imported 1200 subscribers (1200 added, 0 updated)\n');
  assert.deepEqual(plain.stderr.trim().split('\n'), ['imported 0/1200', 'imported 500/1200', 'imported 1000/1200', 'imported 1200/1200']);
  assert.equal((await stored(dir, 'sip:u777@localhost'))!.ha1Md5, md5('u777:localhost:pw777'));

  const tty = await users(['import', csv, '--data-dir', dir], { tty: true });
  assert.equal(tty.code, 0);
  assert.equal(tty.stdout, 'imported 1200 subscribers (0 added, 1200 updated)\n');
  assert.match(tty.stderr, /importing \|.*\| 1200\/1200 subscribers/);

  const bad = join(root, 'bad.csv');
  writeFileSync(bad, 'sip:ok@localhost,pw\nsip:nopw@localhost,\nnot-a-uri,pw\n');
  const refused = await users(['import', bad, '--data-dir', freshDir()]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /2 defects; nothing was imported\n {2}line 2: the password is empty\n {2}line 3: the AOR "not-a-uri"/);
});

test('a subscriber added by the CLI registers with presenced serve on the same data directory', async () => {
  const dir = freshDir();
  assert.equal((await users(['add', 'sip:alice@ps.test', '--password', 'secret', '--data-dir', dir, '--domain', 'ps.test'])).code, 0);
  const net = new LoopNetwork();
  const server = build(validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { dataDir: dir } }), { loopNetwork: net });
  await server.listen();
  const peer = await SipPeer.start(net, 'alice');
  try {
    const make = (cseq: number) =>
      peer.request('REGISTER', 'sip:ps.test', [
        ['From', '<sip:alice@ps.test>;tag=a'],
        ['To', '<sip:alice@ps.test>'],
        ['Call-ID', 'reg-1'],
        ['CSeq', `${cseq} REGISTER`],
        ['Contact', `<sip:alice@${peer.host}:${peer.port};transport=loop>`],
      ]);
    const ps = { transport: 'LOOP' as const, address: 'ps.test', port: 5060 };
    const challenge = await peer.send(make(1), ps);
    assert.equal(challenge.status, 401);
    const second = make(2);
    assert.ok(new DigestClient({ username: 'alice', password: 'secret' }).authorize(second, challenge));
    assert.equal((await peer.send(second, ps)).status, 200);
  } finally {
    await peer.close();
    await server.close();
  }
});
