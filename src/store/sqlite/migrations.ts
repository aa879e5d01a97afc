import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';

/**
 * The SQLite schema, as forward migrations. The database's `user_version` pragma is its schema version:
 * 0 for a new file, then the version of the last migration applied. Migrations are only ever appended
 * (a released one is never edited), each runs in its own transaction together with the version bump, so
 * a failed migration leaves the database at the version before it.
 *
 * Columns hold the record fields of ../ports.ts under snake_case names; times are INTEGER ms since the
 * epoch; arrays (route set, Accept types, Path) and `extra` are JSON text; bodies are BLOBs; an optional
 * field absent from the record is NULL; a subscriber's aliases are rows of `subscriber_identities`. Tables
 * are STRICT, so a value of the wrong type is an error rather than silently stored.
 */

/** One schema step. */
export interface Migration {
  /** The schema version after this step: 1, 2, 3, … with no gaps. */
  readonly version: number;
  /** What the step does, for logs and reviews. */
  readonly summary: string;
  /** The statements, run with `exec` inside the step's transaction. */
  readonly sql: string;
}

/** Every migration of presenced, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: 'publications (RFC 3903), subscriptions (RFC 6665) and registrar bindings (RFC 3261 §10)',
    sql: `
      CREATE TABLE publications (
        etag TEXT NOT NULL PRIMARY KEY,
        resource TEXT NOT NULL,
        event TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        body BLOB NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('user', 'network', 'external')),
        publisher TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        modified_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX publications_by_resource ON publications (resource, event, created_at);
      CREATE INDEX publications_by_expiry ON publications (expires_at);

      CREATE TABLE subscriptions (
        id TEXT NOT NULL PRIMARY KEY,
        resource TEXT NOT NULL,
        event TEXT NOT NULL,
        event_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'terminated')),
        watcher TEXT NOT NULL,
        watcher_display_name TEXT,
        call_id TEXT NOT NULL,
        local_tag TEXT NOT NULL,
        remote_tag TEXT NOT NULL,
        local_uri TEXT NOT NULL,
        remote_uri TEXT NOT NULL,
        remote_target TEXT NOT NULL,
        route_set TEXT NOT NULL,
        local_cseq INTEGER NOT NULL,
        remote_cseq INTEGER NOT NULL,
        secure INTEGER NOT NULL CHECK (secure IN (0, 1)),
        flow_transport TEXT,
        flow_address TEXT,
        flow_port INTEGER,
        flow_id TEXT,
        accept TEXT NOT NULL,
        body_content_type TEXT,
        body BLOB,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        extra TEXT,
        CHECK ((body IS NULL) = (body_content_type IS NULL))
      ) STRICT;
      CREATE INDEX subscriptions_by_resource ON subscriptions (resource, event, created_at);
      CREATE INDEX subscriptions_by_expiry ON subscriptions (expires_at);

      CREATE TABLE bindings (
        aor TEXT NOT NULL,
        binding_key TEXT NOT NULL,
        contact TEXT NOT NULL,
        contact_header TEXT NOT NULL,
        instance TEXT,
        reg_id INTEGER,
        q REAL,
        call_id TEXT NOT NULL,
        cseq INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        flow_transport TEXT,
        flow_address TEXT,
        flow_port INTEGER,
        flow_id TEXT,
        path TEXT NOT NULL,
        user_agent TEXT,
        PRIMARY KEY (aor, binding_key)
      ) STRICT;
      CREATE INDEX bindings_by_expiry ON bindings (expires_at);
    `,
  },
  {
    version: 2,
    summary: 'subscribers with their identities (HSS seed) and XCAP documents (RFC 4825)',
    sql: `
      CREATE TABLE subscribers (
        aor TEXT NOT NULL PRIMARY KEY,
        username TEXT NOT NULL,
        realm TEXT NOT NULL,
        ha1_md5 TEXT NOT NULL,
        ha1_sha256 TEXT NOT NULL,
        display_name TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX subscribers_by_username ON subscribers (username, realm);

      -- Every public identity of a subscriber: its AOR (position 0) and its aliases (1, 2, … in order).
      CREATE TABLE subscriber_identities (
        identity TEXT NOT NULL PRIMARY KEY,
        aor TEXT NOT NULL REFERENCES subscribers (aor) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        UNIQUE (aor, position)
      ) STRICT;

      CREATE TABLE xcap_documents (
        auid TEXT NOT NULL,
        tree TEXT NOT NULL CHECK (tree IN ('users', 'global')),
        xui TEXT NOT NULL,
        name TEXT NOT NULL,
        body BLOB NOT NULL,
        etag TEXT NOT NULL,
        modified_at INTEGER NOT NULL,
        PRIMARY KEY (auid, tree, xui, name)
      ) STRICT;
      CREATE INDEX xcap_documents_by_user ON xcap_documents (auid, xui, name);
    `,
  },
  {
    version: 3,
    summary: 'the watcher-information log with its history (RFC 3857, TS 23.141 §5.1)',
    sql: `
      CREATE TABLE watcher_info (
        seq INTEGER PRIMARY KEY,
        presentity TEXT NOT NULL,
        package TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        watcher TEXT NOT NULL,
        display_name TEXT,
        fetch INTEGER NOT NULL CHECK (fetch IN (0, 1)),
        status TEXT NOT NULL,
        event TEXT NOT NULL,
        subscribed_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX watcher_info_by_presentity ON watcher_info (presentity, package, at);
      CREATE INDEX watcher_info_by_time ON watcher_info (at);
    `,
  },
  {
    version: 4,
    summary: 'drop the resource and expiry indexes of publications and subscriptions, read from memory since',
    sql: `
      -- The stores keep both tables in memory and query them only when opened: these indexes cost every
      -- write (about 40% of a one-row commit) and served no read any more.
      DROP INDEX publications_by_resource;
      DROP INDEX publications_by_expiry;
      DROP INDEX subscriptions_by_resource;
      DROP INDEX subscriptions_by_expiry;
    `,
  },
  {
    version: 5,
    summary: 'publications keyed by a row id instead of their entity tag',
    sql: `
      -- The store keeps the publications in memory and writes each row by its id: the entity tag's index
      -- (the primary key) cost every write two index entries, a third of a one-row commit, and served no
      -- read any more. The rows keep their ids (their order of first insertion).
      CREATE TABLE publications_v5 (
        id INTEGER PRIMARY KEY,
        etag TEXT NOT NULL,
        resource TEXT NOT NULL,
        event TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        body BLOB NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('user', 'network', 'external')),
        publisher TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        modified_at INTEGER NOT NULL
      ) STRICT;
      INSERT INTO publications_v5 (id, etag, resource, event, expires_at, content_type, body, source, publisher, created_at, modified_at)
        SELECT rowid, etag, resource, event, expires_at, content_type, body, source, publisher, created_at, modified_at FROM publications;
      DROP TABLE publications;
      ALTER TABLE publications_v5 RENAME TO publications;
    `,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` up to the last of `migrations` (default {@link MIGRATIONS}), applying each newer step in
 * its own transaction. Returns the resulting version.
 *
 * @throws StoreError `ERR_STORE_SCHEMA_TOO_NEW` when the database is at a version above the last step
 *   (written by a newer presenced); the database is not touched.
 * @throws the step's SQLite error when a step fails; that step is rolled back.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreError(
      `the database is at schema version ${current}, newer than ${migrations.length} of this presenced`,
      'ERR_STORE_SCHEMA_TOO_NEW',
    );
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return migrations.length;
}
