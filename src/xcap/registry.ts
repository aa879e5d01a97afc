import type { ApplicationUsage, XcapUsageDirectory } from './application-usage.js';

/** RFC 4825 §5.1 AUID: an IETF token, or a vendor AUID `rev-hostname "." a-uid` (a-uid-char without '.'). */
const AUID = /^(?:[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.)?(?:[A-Za-z0-9\-_~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/**
 * The application usages an XCAP server serves, by AUID (RFC 4825 §5.1). The server answers 404 for a
 * document selector whose AUID is not registered (RFC 4825 §5.8: a server must understand a usage to
 * process requests for it).
 */
export class XcapUsages implements XcapUsageDirectory {
  readonly #byAuid = new Map<string, ApplicationUsage>();

  /** Creates a registry holding `usages` (registered in order). */
  constructor(usages: Iterable<ApplicationUsage> = []) {
    for (const u of usages) this.register(u);
  }

  /** Adds a usage. Throws when its AUID is not valid (RFC 4825 §5.1) or already registered. */
  register(usage: ApplicationUsage): this {
    if (!AUID.test(usage.auid)) throw new Error(`XCAP: invalid AUID ${JSON.stringify(usage.auid)}`);
    if (this.#byAuid.has(usage.auid)) throw new Error(`XCAP: application usage ${usage.auid} registered twice`);
    this.#byAuid.set(usage.auid, usage);
    return this;
  }

  /** The usage with this AUID, compared exactly (AUIDs are case-sensitive tokens). */
  get(auid: string): ApplicationUsage | undefined {
    return this.#byAuid.get(auid);
  }

  /** Every registered usage, in registration order. */
  list(): readonly ApplicationUsage[] {
    return [...this.#byAuid.values()];
  }
}
