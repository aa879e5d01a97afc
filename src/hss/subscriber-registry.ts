import type { SubscriberRecord, SubscriberStore } from '../store/ports.js';
import { StoreError } from '../store/errors.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import type { DigestAlgorithm } from '../util/digest/digest.js';
import { checkPassword, defaultUsername, ha1Pair, nameDefect } from './credentials.js';
import { HssError } from './errors.js';

/** Options of {@link SubscriberRegistry}. */
export interface SubscriberRegistryOptions {
  store: SubscriberStore;
  /**
   * The digest realm the HA1 values are computed for (RFC 3261 §22.1, RFC 7616 §3.4.2): by default the
   * served SIP domain, as the composition root decides. A subscriber whose record holds another realm
   * (the realm changed since) authenticates again once its password is set anew.
   */
  realm: string;
  /**
   * The canonical AOR of an identity as an operator writes it (`sip:Alice@EXAMPLE.com:5060`,
   * `tel:+1-555-0100`), or undefined when it is not a user's identity (a sip, sips or tel URI with a
   * user part). The composition root passes the SIP layer's `canonicalAor`: this layer parses no URIs.
   */
  canonicalIdentity(text: string): string | undefined;
  /** Time of createdAt / updatedAt; default the system clock. */
  clock?: Clock;
}

/** What {@link SubscriberRegistry.add} may be told besides the AOR and password. */
export interface SubscriberOptions {
  /** The digest username; default the user part of the AOR (see `defaultUsername`). */
  username?: string;
  /** Further identities of the subscriber (e.g. `tel:+15551234567`), written as for the AOR. */
  aliases?: readonly string[];
  /** A display name. */
  displayName?: string;
}

/** A subscriber as an operator describes it (the CSV import's rows), before it becomes a record. */
export interface SubscriberInput extends SubscriberOptions {
  aor: string;
  password: string;
}

/**
 * The subscriber registry (issue 4 item 1; the seed of the HSS, TS 23.141 §4.3): each user's public
 * identities and digest credentials, kept as H(A1) for MD5 and SHA-256 only (RFC 7616 §3.4.2), never the
 * password. It answers the digest authenticators of SIP and XCAP ({@link lookupHa1}) and maps any identity
 * of a user to the user ({@link resolveIdentity}).
 *
 * Methods taking an identity an operator typed (`add`, `passwd`, `remove`) canonicalise it first; the
 * lookups take canonical AORs, as the SIP layer produces them.
 */
export class SubscriberRegistry {
  /** The digest realm of new credentials. */
  readonly realm: string;
  private readonly store: SubscriberStore;
  private readonly canonical: (text: string) => string | undefined;
  private readonly clock: Clock;

  constructor(opts: SubscriberRegistryOptions) {
    this.store = opts.store;
    this.realm = opts.realm;
    this.canonical = opts.canonicalIdentity;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Adds a subscriber and returns its record; resolves once durable.
   * @throws HssError `ERR_HSS_BAD_IDENTITY`, `ERR_HSS_BAD_PASSWORD` or `ERR_HSS_BAD_USERNAME` for bad input;
   *   `ERR_HSS_EXISTS` when the AOR already is an identity of a subscriber; `ERR_HSS_CONFLICT` when an
   *   alias or the username belongs to another subscriber.
   */
  async add(aor: string, password: string, opts: SubscriberOptions = {}): Promise<SubscriberRecord> {
    const record = this.prepare({ aor, password, ...opts });
    const owner = await this.store.findByIdentity(record.aor);
    if (owner) {
      const what = owner.aor === record.aor ? 'is already a subscriber' : `is an alias of ${owner.aor}`;
      throw new HssError(`${record.aor} ${what}`, 'ERR_HSS_EXISTS');
    }
    await this.write(() => this.store.put(record));
    return record;
  }

  /**
   * Sets a new password: both H(A1) values are computed again for the registry's realm. Resolves once
   * durable.
   * @throws HssError `ERR_HSS_UNKNOWN` for an unknown AOR, `ERR_HSS_BAD_PASSWORD`, `ERR_HSS_BAD_IDENTITY`.
   */
  async passwd(aor: string, password: string): Promise<void> {
    checkPassword(password);
    const key = this.identity(aor, 'AOR');
    const old = await this.store.get(key);
    if (!old) throw new HssError(`${key} is not a subscriber`, 'ERR_HSS_UNKNOWN');
    const updated: SubscriberRecord = {
      ...old,
      realm: this.realm,
      ...ha1Pair(old.username, this.realm, password),
      updatedAt: this.clock.now(),
    };
    await this.write(() => this.store.put(updated));
  }

  /**
   * Removes a subscriber with all its identities; resolves true when there was one.
   * @throws HssError `ERR_HSS_BAD_IDENTITY` when `aor` is not a user identity.
   */
  async remove(aor: string): Promise<boolean> {
    return this.store.remove(this.identity(aor, 'AOR'));
  }

  /** One page of subscribers ordered by AOR, those after `after` only (see `SubscriberStore.list`). */
  list(opts: { after?: string; limit: number }): Promise<SubscriberRecord[]> {
    return this.store.list(opts);
  }

  /** Every subscriber ordered by AOR, read page by page (`pageSize` records per read, default 500). */
  async *all(pageSize = 500): AsyncGenerator<SubscriberRecord> {
    let after: string | undefined;
    while (true) {
      const page = await this.store.list(after === undefined ? { limit: pageSize } : { after, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.aor;
    }
  }

  /** How many subscribers there are. */
  count(): Promise<number> {
    return this.store.count();
  }

  /**
   * H(A1) of `username` in `realm` for `algorithm` in lower-case hex, or undefined for an unknown user:
   * the `lookupHa1` of the digest authenticators (RFC 7616 §3.4.2).
   */
  async lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    const r = await this.store.findByUsername(username, realm);
    if (!r) return undefined;
    // RFC 7616 §3.4.2: H(A1) is the hash of the algorithm the client answered with.
    return algorithm === 'MD5' ? r.ha1Md5 : r.ha1Sha256;
  }

  /** The identities (canonical AORs; the primary AOR first, then the aliases) of a digest user, or undefined. */
  async identitiesOf(username: string, realm: string): Promise<string[] | undefined> {
    const r = await this.store.findByUsername(username, realm);
    return r && [r.aor, ...r.aliases];
  }

  /** The subscriber one of whose identities (AOR or alias) the canonical AOR `identity` is. */
  resolveIdentity(identity: string): Promise<SubscriberRecord | undefined> {
    return this.store.findByIdentity(identity);
  }

  /**
   * Checks a subscriber as an operator describes it and turns it into a record created at `now` (ms,
   * default the registry clock's time).
   * @throws HssError `ERR_HSS_BAD_IDENTITY`, `ERR_HSS_BAD_PASSWORD` or `ERR_HSS_BAD_USERNAME`.
   */
  prepare(input: SubscriberInput, now = this.clock.now()): SubscriberRecord {
    const aor = this.identity(input.aor, 'AOR');
    checkPassword(input.password);
    const aliases: string[] = [];
    for (const text of input.aliases ?? []) {
      const alias = this.identity(text, 'alias');
      if (alias === aor || aliases.includes(alias)) throw new HssError(`the identity ${alias} is given twice`, 'ERR_HSS_BAD_IDENTITY');
      aliases.push(alias);
    }
    const username = input.username ?? defaultUsername(aor);
    const bad = nameDefect(username, 'username') ?? (input.displayName === undefined ? undefined : nameDefect(input.displayName, 'display name'));
    if (bad) throw new HssError(bad, 'ERR_HSS_BAD_USERNAME');
    const record: SubscriberRecord = {
      aor,
      username,
      realm: this.realm,
      ...ha1Pair(username, this.realm, input.password),
      aliases,
      createdAt: now,
      updatedAt: now,
    };
    if (input.displayName !== undefined) record.displayName = input.displayName;
    return record;
  }

  /**
   * Stores records made by {@link prepare} in order, in one atomic step (all or nothing); a later record
   * with the same AOR replaces an earlier one. Resolves once durable.
   * @throws HssError `ERR_HSS_CONFLICT` (nothing stored) when an identity or username would have two owners.
   */
  putMany(records: readonly SubscriberRecord[]): Promise<void> {
    return this.write(() => this.store.putMany(records));
  }

  /** The subscriber whose primary identity is the canonical AOR `aor`. */
  get(aor: string): Promise<SubscriberRecord | undefined> {
    return this.store.get(aor);
  }

  /** The subscriber with this digest username in this realm. */
  findByUsername(username: string, realm: string): Promise<SubscriberRecord | undefined> {
    return this.store.findByUsername(username, realm);
  }

  /** Runs a store write, turning the store's conflict into `ERR_HSS_CONFLICT`. */
  private async write(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (err) {
      if (err instanceof StoreError && err.code === 'ERR_STORE_CONFLICT') throw new HssError(err.message, 'ERR_HSS_CONFLICT');
      throw err;
    }
  }

  /** The canonical form of an identity an operator wrote; `what` names it in the error. */
  private identity(text: string, what: string): string {
    const canonical = this.canonical(text.trim());
    if (canonical === undefined) {
      throw new HssError(`the ${what} ${JSON.stringify(text)} is not a sip, sips or tel URI of a user`, 'ERR_HSS_BAD_IDENTITY');
    }
    return canonical;
  }
}
