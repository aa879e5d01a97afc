/**
 * Event notification filters (RFC 4660 semantics, RFC 4661 format) as the presence package applies
 * them: the parsed form of an `application/simple-filter+xml` document. See docs/event-filters.md for
 * exactly what is accepted.
 */

/** The content type of filter documents (RFC 4661 §3.1). */
export const SIMPLE_FILTER = 'application/simple-filter+xml';
/** The namespace of filter documents (RFC 4661 §3). */
export const SIMPLE_FILTER_NAMESPACE = 'urn:ietf:params:xml:ns:simple-filter';
/** Our extension elements in a presence filter (RFC 4661 §4: `xs:any namespace="##other"` in <what>). */
export const PRESENCE_FILTER_EXT_NAMESPACE = 'urn:presenced:params:xml:ns:simple-filter-ext';

/** An expanded name: namespace URI (null: none) and local name; `*` matches any local name. */
export interface QName {
  readonly ns: string | null;
  readonly local: string;
}

/** A name test of a location step: a QName, `*` (any element), or an unprefixed name (see {@link NameTest.unprefixed}). */
export interface NameTest {
  /** Namespace URI; `*` any namespace. */
  readonly ns: string | null | '*';
  /** Local name; `*` any. */
  readonly local: string;
  /**
   * Written without a prefix: matches the null namespace (XPath 1.0, RFC 4661 §5) and, as RFC 4661
   * §3.5.1's own example `/presence/tuple/status/basic` expects, the PIDF namespace.
   */
  readonly unprefixed: boolean;
}

/** A path relative to a context element inside a predicate: `.`, `..`, `a/b`, `*\/basic`, optionally ending in `@attr`. */
export interface RelativePath {
  /** How many `..` steps first (0: the context element itself, `.`). */
  readonly up: number;
  readonly steps: readonly NameTest[];
  readonly attribute?: QName;
}

/** A predicate: comparisons joined by `and` (binds tighter) and `or` (RFC 4661 §5 `expression`). */
export type Predicate =
  | { readonly kind: 'compare'; readonly path: RelativePath; readonly op: '=' | '<' | '>'; readonly value: string }
  | { readonly kind: 'and' | 'or'; readonly left: Predicate; readonly right: Predicate };

/** One location step of an absolute reference. */
export interface Step {
  /** `child` after `/`, `descendant` after `//`. */
  readonly axis: 'child' | 'descendant';
  readonly test: NameTest;
  readonly predicates: readonly Predicate[];
}

/** An RFC 4661 §5 `selection` / `reference`: an absolute element path, optionally ending in an attribute. */
export interface Selector {
  /** The expression as written (trimmed), for messages. */
  readonly text: string;
  readonly steps: readonly Step[];
  readonly attribute?: QName;
}

/** An <include> or <exclude> (RFC 4661 §3.5.1-3.5.3). */
export type ContentRule = { readonly type: 'xpath'; readonly selector: Selector } | { readonly type: 'namespace'; readonly namespace: string };

/** The <what> of a filter (RFC 4661 §3.5). */
export interface What {
  readonly include: readonly ContentRule[];
  readonly exclude: readonly ContentRule[];
  /**
   * `<pf:exclude-own-publications/>` (our extension, TS 23.141 §5.1 "do not send the notifications
   * resulting from the publication of the Presence User agent that is equal to the watcher"): the
   * components published by the watcher itself are left out.
   */
  readonly excludeOwnPublications: boolean;
}

/** A <changed> condition (RFC 4661 §3.6.1). */
export interface Changed {
  readonly selector: Selector;
  readonly from?: string;
  readonly to?: string;
  /** A decimal delta (RFC 4661 §3.6.1.3). */
  readonly by?: number;
}

/** A <trigger>: every condition must hold (RFC 4661 §3.6: AND). */
export interface Trigger {
  readonly changed: readonly Changed[];
  readonly added: readonly Selector[];
  readonly removed: readonly Selector[];
}

/** One <filter> (RFC 4661 §3.4) as kept for a subscription. */
export interface Filter {
  readonly id: string;
  readonly uri?: string;
  readonly domain?: string;
  readonly enabled: boolean;
  /** Absent (or empty: RFC 4660 §5.4, as if absent): the whole authorised document. */
  readonly what?: What;
  /** Empty: every change is notified (RFC 4660 §5.3); several: any one suffices (OR). */
  readonly triggers: readonly Trigger[];
}

/** A <filter> of a SUBSCRIBE body: a filter, or the removal of the filter with that id (RFC 4661 §3.4 `remove`). */
export type FilterEntry = { readonly remove: true; readonly id: string } | ({ readonly remove: false } & FilterSource);

/**
 * A filter as written, with what it leaves out: a re-enabling filter may omit <what> and <trigger>
 * (RFC 4661 §3.4), and then keeps those it had.
 */
export interface FilterSource {
  readonly id: string;
  readonly uri?: string;
  readonly domain?: string;
  /** Undefined when the attribute is absent (default true, RFC 4661 §3.4). */
  readonly enabled?: boolean;
  readonly what?: What;
  readonly triggers?: readonly Trigger[];
  /** Its <what>, <trigger> and extension child elements as written, serialised ('' when none). */
  readonly inner: string;
}
