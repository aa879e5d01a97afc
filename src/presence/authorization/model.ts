/**
 * The presence authorisation model: a pres-rules document (RFC 5025 on the common policy framework of
 * RFC 4745, with the OMA extensions of OMA-TS-Presence_SIMPLE_XDM) as rules of conditions, actions and
 * transformations, and the permissions the rules grant a watcher.
 */

import { ANONYMOUS_IDENTITY } from '../../sip/core/authentication.js';

/** Namespace URIs of authorisation documents. */
export const POLICY_NS = {
  /** Common policy: ruleset, rule, conditions, identity, sphere, validity (RFC 4745 §13). */
  cp: 'urn:ietf:params:xml:ns:common-policy',
  /** Presence rules: sub-handling and the provide-* transformations (RFC 5025 §7). */
  pr: 'urn:ietf:params:xml:ns:pres-rules',
  /** OMA common policy conditions: other-identity, external-list, anonymous-request (OMA XDM). */
  ocp: 'urn:oma:xml:xdm:common-policy',
  /** OMA presence rules transformations: provide-willingness, provide-geopriv, … (OMA pres-rules). */
  opr: 'urn:oma:xml:prs:pres-rules',
} as const;

/**
 * The subscription handling action (RFC 5025 §3.2.1), an enumerated integer: block 0 (the default, no
 * value is lower), confirm 10, polite-block 20, allow 30. Combined as the maximum (RFC 4745 §10.2).
 */
export type SubHandling = 'block' | 'confirm' | 'polite-block' | 'allow';

/** The integer value of each sub-handling (RFC 5025 §3.2.1). */
export const SUB_HANDLING_VALUE: Readonly<Record<SubHandling, number>> = Object.freeze({
  block: 0,
  confirm: 10,
  'polite-block': 20,
  allow: 30,
});

/**
 * What of the rpid:user-input element is shown (RFC 5025 §3.3.2.12), an enumerated integer: `false` 0
 * (removed), `bare` 10 (kept without its attributes), `thresholds` 20 (only `idle-threshold` kept),
 * `full` 30.
 */
export type UserInputLevel = 'false' | 'bare' | 'thresholds' | 'full';

/** The integer value of each user-input level (RFC 5025 §3.3.2.12). */
export const USER_INPUT_VALUE: Readonly<Record<UserInputLevel, number>> = Object.freeze({ false: 0, bare: 10, thresholds: 20, full: 30 });

/** OMA provide-geopriv: `false` removes gp:geopriv location objects, `full` keeps them (OMA pres-rules). */
export type GeoprivLevel = 'false' | 'full';

/**
 * The Boolean attribute permissions: RFC 5025 §3.3.2 (`activities` … `note`) and the OMA ones
 * (`willingness` … `barring-state`), each named after its element without `provide-`.
 */
export type AttributePermission =
  | 'activities'
  | 'class'
  | 'deviceID'
  | 'mood'
  | 'place-is'
  | 'place-type'
  | 'privacy'
  | 'relationship'
  | 'sphere'
  | 'status-icon'
  | 'time-offset'
  | 'note'
  | 'willingness'
  | 'network-availability'
  | 'session-participation'
  | 'registration-state'
  | 'barring-state';

/** The RFC 5025 Boolean permissions, in the pres-rules namespace. */
export const RFC5025_ATTRIBUTES: readonly AttributePermission[] = Object.freeze([
  'activities',
  'class',
  'deviceID',
  'mood',
  'place-is',
  'place-type',
  'privacy',
  'relationship',
  'sphere',
  'status-icon',
  'time-offset',
  'note',
]);

/** The OMA Boolean permissions, in the OMA pres-rules namespace. */
export const OMA_ATTRIBUTES: readonly AttributePermission[] = Object.freeze([
  'willingness',
  'network-availability',
  'session-participation',
  'registration-state',
  'barring-state',
]);

/**
 * Which service occurrences (tuples) a watcher sees (RFC 5025 §3.3.1.3, a set variable): all of them,
 * or those whose rpid:class, occurrence id, service URI (the <contact>, by URI equivalence) or its
 * scheme, or OMA service-id (op:service-description) is in the set.
 */
export interface ServiceSelector {
  readonly all: boolean;
  readonly classes: ReadonlySet<string>;
  readonly occurrenceIds: ReadonlySet<string>;
  readonly serviceUris: ReadonlySet<string>;
  readonly serviceUriSchemes: ReadonlySet<string>;
  /** OMA <service-id> members: the service-id of the tuple's op:service-description. */
  readonly serviceIds: ReadonlySet<string>;
}

/** Which person occurrences a watcher sees (RFC 5025 §3.3.1.2): all, or by class or occurrence id. */
export interface PersonSelector {
  readonly all: boolean;
  readonly classes: ReadonlySet<string>;
  readonly occurrenceIds: ReadonlySet<string>;
}

/** Which device occurrences a watcher sees (RFC 5025 §3.3.1.1): all, or by class, device ID or occurrence id. */
export interface DeviceSelector {
  readonly all: boolean;
  readonly classes: ReadonlySet<string>;
  readonly occurrenceIds: ReadonlySet<string>;
  /** dm:deviceID URNs, compared by URI equivalence. */
  readonly deviceIds: ReadonlySet<string>;
}

/**
 * The transformations granted to a watcher (RFC 5025 §3.3, OMA pres-rules): which components are shown
 * and which presence attributes within them. Every field is a positive grant; the empty value of each
 * (false, empty set, `false` level) is the lowest, the value of a permission a rule does not state
 * (RFC 4745 §10.2).
 */
export interface Permissions {
  readonly services: ServiceSelector;
  readonly persons: PersonSelector;
  readonly devices: DeviceSelector;
  /** provide-all-attributes (RFC 5025 §3.3.2.15): every attribute of every shown component. */
  readonly allAttributes: boolean;
  /** The Boolean attribute permissions granted (TRUE). */
  readonly attributes: ReadonlySet<AttributePermission>;
  readonly userInput: UserInputLevel;
  readonly geopriv: GeoprivLevel;
  /**
   * provide-unknown-attribute grants (RFC 5025 §3.3.2.14): `{namespace}name` of unknown child elements of
   * tuples, persons and devices that are shown.
   */
  readonly unknownAttributes: ReadonlySet<string>;
}

/** One <many> of an identity condition (RFC 4745 §7.1.3). */
export interface ManyCondition {
  /** The domain (ASCII, lower case) the watcher must be in; undefined: any domain. */
  readonly domain?: string;
  /** <except id>: identity keys excluded. */
  readonly exceptIds: readonly string[];
  /** <except domain>: domains (ASCII, lower case) excluded. */
  readonly exceptDomains: readonly string[];
}

/**
 * A condition of a rule; a rule applies when all of its conditions are TRUE (RFC 4745 §10.1).
 * - `identity`: RFC 4745 §7.1, TRUE when one of its <one> or <many> children matches (logical OR); an
 *   <identity> with no child at all matches only requests without an authenticated identity (RFC 5025
 *   §3.1.1.2);
 * - `sphere`: RFC 4745 §7.3, the presentity's sphere is one of the tokens (case-insensitive);
 * - `validity`: RFC 4745 §7.4, now is in one of the [from, until) periods;
 * - `other-identity`, `external-list`, `anonymous-request`: the OMA conditions;
 * - `unsupported`: a condition in a namespace or of a name not supported, always FALSE (RFC 4745 §7).
 */
export type Condition =
  | {
      readonly kind: 'identity';
      /** Identity keys of the <one> children. */
      readonly one: readonly string[];
      readonly many: readonly ManyCondition[];
      /** The element had no child element at all. */
      readonly empty: boolean;
    }
  | { readonly kind: 'sphere'; readonly tokens: readonly string[] }
  | { readonly kind: 'validity'; readonly periods: readonly { readonly from: number; readonly until: number }[] }
  | { readonly kind: 'other-identity' }
  | { readonly kind: 'external-list'; readonly anchors: readonly string[] }
  | { readonly kind: 'anonymous-request' }
  | { readonly kind: 'unsupported'; readonly name: string };

/** A rule (RFC 4745 §6): conditions, the sub-handling action if it has one, transformations. */
export interface Rule {
  readonly id: string;
  readonly conditions: readonly Condition[];
  /** The <sub-handling> action; undefined when the rule has none (it then counts as block). */
  readonly subHandling?: SubHandling;
  readonly permissions: Permissions;
}

/** A parsed pres-rules document. */
export interface PresRules {
  readonly rules: readonly Rule[];
  /** Every external-list anchor URI of every rule, for resolving the lists before evaluation. */
  readonly anchors: readonly string[];
  /** True when a rule has a sphere condition: evaluation then needs the presentity's sphere. */
  readonly usesSphere: boolean;
}

/** The watcher a decision is made for. */
export interface Watcher {
  /** The watcher's identity URI (a canonical AOR). */
  readonly identity: string;
  /** The request was anonymous (RFC 3323 Privacy: id, or an anonymous From): matches anonymous-request only. */
  readonly anonymous: boolean;
  /** The identity was authenticated; identity conditions only match authenticated identities (RFC 4745 §7.1). */
  readonly authenticated: boolean;
}

/** The outcome of evaluating the rules for one watcher. */
export interface PolicyDecision {
  readonly subHandling: SubHandling;
  readonly permissions: Permissions;
  /** Ids of the rules whose permissions were combined, in document order (empty: no rule matched). */
  readonly rules: readonly string[];
}

/**
 * How matching rules are combined:
 * - `rfc4745`: every matching rule, permissions combined (RFC 4745 §10.2: sub-handling the maximum,
 *   Booleans OR, sets union); no matching rule is `block` (RFC 5025 §3.2.1: the default value);
 * - `ts23141`: the subscription authorisation lists in the order of TS 23.141 §7: blocking lists (rules
 *   that name the watcher by <one> or external-list with sub-handling block or polite-block), then
 *   personal lists (other rules that name the watcher that way), then general lists (every other
 *   matching rule: <many>, other-identity, anonymous-request, no identity condition). The first of these
 *   with a matching rule decides, its rules combined as in RFC 4745 §10.2; no matching rule is `confirm`
 *   (TS 23.141 §7: the subscription is held until the presentity decides).
 */
export type EvaluationOrder = 'rfc4745' | 'ts23141';

/**
 * The identity the notifier records for an anonymous watcher (RFC 3323 §4.1.1.3): the one the
 * authentication policy gives anonymous requests.
 */
export const ANONYMOUS_WATCHER = ANONYMOUS_IDENTITY;
