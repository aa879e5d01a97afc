import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RulesSource } from '../../../../src/presence/authorization/authorizer.js';
import type { EvaluationContext } from '../../../../src/presence/authorization/evaluate.js';
import { evaluateRules } from '../../../../src/presence/authorization/evaluate.js';
import type { EvaluationOrder, PolicyDecision, PresRules, Watcher } from '../../../../src/presence/authorization/model.js';
import { ANONYMOUS_WATCHER, POLICY_NS } from '../../../../src/presence/authorization/model.js';
import { parsePresRules } from '../../../../src/presence/authorization/parse-rules.js';
import { identityKey } from '../../../../src/presence/authorization/uri-match.js';
import { SCHEMAS } from '../../../../src/xcap/schemas/schema-catalogue.js';
import { SchemaValidator } from '../../../../src/xcap/schemas/schema-validator.js';

/** Shared helpers of the authorisation tests. */

export const FIXTURES = join(process.cwd(), 'test', 'unit', 'presence', 'authorization', 'fixtures');

/** A fixture document's bytes. */
export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A ruleset document with `inner` as its children; prefixes cr, pr, ocp and op declared. */
export function ruleset(inner: string): Buffer {
  const { cp, pr, ocp, opr } = POLICY_NS;
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<cr:ruleset xmlns:cr="${cp}" xmlns:pr="${pr}" xmlns:ocp="${ocp}" xmlns:op="${opr}">${inner}</cr:ruleset>`);
}

/** One rule: its conditions, sub-handling (omitted when undefined) and transformations, as XML text. */
export function rule(id: string, conditions: string, subHandling: string | undefined, transformations = ''): string {
  const actions = subHandling === undefined ? '' : `<cr:actions><pr:sub-handling>${subHandling}</pr:sub-handling></cr:actions>`;
  return `<cr:rule id="${id}"><cr:conditions>${conditions}</cr:conditions>${actions}<cr:transformations>${transformations}</cr:transformations></cr:rule>`;
}

/** `<cr:identity>` with a <one> per id. */
export function ones(...ids: string[]): string {
  return `<cr:identity>${ids.map((id) => `<cr:one id="${id}"/>`).join('')}</cr:identity>`;
}

/** Parses and asserts success. */
export function parseRules(body: Buffer): PresRules {
  const r = parsePresRules(body);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

/** An authenticated watcher, or the anonymous one. */
export function watcher(identity: string): Watcher {
  const anonymous = identity === ANONYMOUS_WATCHER;
  return { identity, anonymous, authenticated: !anonymous };
}

/** Options of {@link decide}. */
export interface DecideOptions {
  now?: number;
  sphere?: string;
  /** External list members by anchor. */
  lists?: Record<string, string[]>;
  order?: EvaluationOrder;
  watcher?: Partial<Watcher>;
}

/** Evaluates a document for one watcher identity. */
export function decide(doc: Buffer | PresRules, identity: string, o: DecideOptions = {}): PolicyDecision {
  const rules = Buffer.isBuffer(doc) ? parseRules(doc) : doc;
  const lists = new Map(Object.entries(o.lists ?? {}).map(([a, m]) => [a, new Set(m.map(identityKey))] as const));
  const ctx: EvaluationContext = { now: o.now ?? Date.parse('2024-01-01T00:00:00Z'), lists, ...(o.sphere !== undefined && { sphere: o.sphere }) };
  return evaluateRules(rules, { ...watcher(identity), ...o.watcher }, ctx, o.order ?? 'rfc4745');
}

/** The sets of a decision's permissions as sorted arrays, for deep comparisons. */
export function plainPermissions(d: PolicyDecision): unknown {
  return JSON.parse(JSON.stringify(d.permissions, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)].sort() : v)));
}

/**
 * Asserts that a pres-rules document is valid against the schemas the OMA pres-rules XCAP usage
 * validates with (RFC 4745 §13, RFC 5025 §7, OMA common policy and pres-rules).
 */
export function assertSchemaValid(doc: Buffer): void {
  const v = SchemaValidator.compile([SCHEMAS.commonPolicy, SCHEMAS.presRules, SCHEMAS.omaCommonPolicy, SCHEMAS.omaPresRules], { namespace: POLICY_NS.cp, localName: 'ruleset' });
  try {
    const problem = v.validate(doc);
    assert.equal(problem, undefined, `${problem?.phrase ?? ''}\n${doc.toString()}`);
  } finally {
    v.dispose();
  }
}

/** Documents and lists in memory, counting reads. */
export class MemorySource implements RulesSource {
  readonly docs = new Map<string, Buffer>();
  readonly lists = new Map<string, string[]>();
  reads = 0;
  listReads = 0;
  failNext = false;

  presRules(presentity: string): Promise<Buffer | undefined> {
    this.reads++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('store down'));
    }
    return Promise.resolve(this.docs.get(presentity));
  }

  resourceList(anchor: string): Promise<string[] | undefined> {
    this.listReads++;
    return Promise.resolve(this.lists.get(anchor));
  }
}
