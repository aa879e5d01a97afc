import type { Clock } from '../../util/clock.js';
import { LruCache } from '../../util/lru.js';
import type { PresenceDocument } from '../pidf/model.js';
import { defaultRuleSet } from './default-rules.js';
import { evaluateRules, presentitySphere } from './evaluate.js';
import type { EvaluationOrder, PolicyDecision, PresRules, Watcher } from './model.js';
import { parsePresRules } from './parse-rules.js';
import { identityKey } from './uri-match.js';

/**
 * Where the authorisation documents come from (the XCAP document store, wired by the composition root).
 */
export interface RulesSource {
  /** The presentity's pres-rules document (RFC 5025 §9.7: `pres-rules/users/<aor>/index`), or undefined. */
  presRules(presentity: string): Promise<Buffer | undefined>;
  /**
   * The entry URIs of the resource-lists list an OMA external-list anchor (an XCAP URI, RFC 4825 §6)
   * points at, or undefined when there is no such list.
   */
  resourceList(anchorUri: string): Promise<string[] | undefined>;
}

/** Decides on watchers of a presentity; what the presence package asks. */
export interface PresenceAuthorizer {
  /**
   * The decision for `watcher` on `presentity`'s presence, or undefined when the presentity has no
   * authorisation policy (the package then applies its configured default). `presence` gives the
   * presentity's composed document; it is only read when a rule has a sphere condition (RFC 5025 §3.1.2).
   */
  evaluate(presentity: string, watcher: Watcher, presence: () => Promise<PresenceDocument>): Promise<PolicyDecision | undefined>;
}

/** Options of {@link PresRulesAuthorizer}. */
export interface PresRulesAuthorizerOptions {
  readonly source: RulesSource;
  /** Time of the validity conditions (RFC 4745 §7.4). */
  readonly clock: Clock;
  readonly order: EvaluationOrder;
  /**
   * When set, a presentity without a pres-rules document is evaluated against the OMA default rule set
   * (`defaultRuleSet`), whose external lists are under this absolute XCAP root URI; when absent it has no
   * policy.
   */
  readonly defaultRules?: { readonly xcapRoot: string };
  /** Presentities whose parsed rules are kept (LRU), default 10,000. */
  readonly cacheSize?: number;
}

/** A presentity's rules, parsed, with their external lists resolved to identity keys. */
interface Compiled {
  readonly rules: PresRules;
  readonly lists: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A document that cannot be read has no rule: nothing is granted (RFC 5025 §10: privacy-safe). */
const NO_RULES: PresRules = Object.freeze({ rules: [], anchors: [], usesSphere: false });

/**
 * The presence authorisation policy engine on pres-rules documents (RFC 5025, RFC 4745, OMA): each
 * presentity's document is read from the {@link RulesSource} once and parsed, its external lists
 * resolved, and kept until {@link invalidate}; every decision evaluates it for the watcher at the
 * current time and sphere.
 */
export class PresRulesAuthorizer implements PresenceAuthorizer {
  private readonly cache: LruCache<string, Promise<Compiled | undefined>>;

  constructor(private readonly opts: PresRulesAuthorizerOptions) {
    this.cache = new LruCache(opts.cacheSize ?? 10_000);
  }

  async evaluate(presentity: string, watcher: Watcher, presence: () => Promise<PresenceDocument>): Promise<PolicyDecision | undefined> {
    const compiled = await this.compiled(presentity);
    if (!compiled) return undefined;
    const sphere = compiled.rules.usesSphere ? presentitySphere(await presence()) : undefined;
    const ctx = { now: this.opts.clock.now(), lists: compiled.lists, ...(sphere !== undefined && { sphere }) };
    return evaluateRules(compiled.rules, watcher, ctx, this.opts.order);
  }

  /**
   * Forgets what was read for `presentity` (its pres-rules changed, or a resource list its rules point
   * at); the next decision reads them again.
   */
  invalidate(presentity: string): void {
    this.cache.delete(presentity);
  }

  private compiled(presentity: string): Promise<Compiled | undefined> {
    let p = this.cache.get(presentity);
    if (!p) {
      p = this.load(presentity);
      this.cache.set(presentity, p);
      // A failed read must not stay cached.
      p.catch(() => {
        if (this.cache.get(presentity) === p) this.cache.delete(presentity);
      });
    }
    return p;
  }

  private async load(presentity: string): Promise<Compiled | undefined> {
    const { source, defaultRules } = this.opts;
    let body = await source.presRules(presentity);
    if (body === undefined && defaultRules) body = defaultRuleSet(presentity, defaultRules.xcapRoot);
    if (body === undefined) return undefined;
    const parsed = parsePresRules(body);
    const rules = parsed.ok ? parsed.value : NO_RULES;
    const lists = new Map<string, ReadonlySet<string>>();
    await Promise.all(
      rules.anchors.map(async (anchor) => {
        const members = (await source.resourceList(anchor)) ?? [];
        lists.set(anchor, new Set(members.map(identityKey)));
      }),
    );
    return { rules, lists };
  }
}
