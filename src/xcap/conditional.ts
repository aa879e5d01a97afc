/**
 * Entity tags and conditional requests for XCAP (RFC 4825 §7.11, §8.5; RFC 7232 §2.3, §3.1, §3.2, §6).
 * Every resource of a document shares the document's entity tag, which is strong: a new random tag per
 * stored version, or a hash of the content for generated documents.
 */
import { createHash } from 'node:crypto';
import { randomToken } from '../util/ids.js';

/** A fresh opaque tag for a new version of a stored document (no quotes; 120 bits of randomness). */
export function newEntityTag(): string {
  return randomToken(20);
}

/** The opaque tag of a generated document: a hash of its content, so equal content keeps its tag. */
export function contentEntityTag(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 27);
}

/** The ETag header value for an opaque tag: a strong entity tag (RFC 7232 §2.3). */
export function etagHeader(tag: string): string {
  return `"${tag}"`;
}

/** An If-Match / If-None-Match field value: `*`, or the entity tags listed (weak ones marked). */
type TagList = '*' | { readonly tag: string; readonly weak: boolean }[];

/** Parses `*` or a comma-separated list of entity tags; unparseable members are skipped (they match nothing). */
function parseTagList(value: string): TagList {
  if (value.trim() === '*') return '*';
  const out: { tag: string; weak: boolean }[] = [];
  const re = /(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/gy;
  let at = 0;
  while (at < value.length) {
    while (value[at] === ' ' || value[at] === '\t' || value[at] === ',') at++;
    if (at >= value.length) break;
    re.lastIndex = at;
    const m = re.exec(value);
    if (!m) break;
    out.push({ tag: m[2]!, weak: m[1] !== undefined });
    at = re.lastIndex;
  }
  return out;
}

/** The outcome of evaluating the preconditions: go on, 412 Precondition Failed, or 304 Not Modified. */
export type PreconditionResult = 'pass' | 412 | 304;

/**
 * Evaluates If-Match and If-None-Match against the document's current tag (undefined: no document) in
 * the order of RFC 7232 §6. If-Match uses the strong comparison (§3.1: `*` fails without a current
 * representation); If-None-Match the weak one (§3.2), answering 304 for GET and HEAD and 412 otherwise.
 * RFC 4825 §8.2.6: for a PUT of an element or attribute the tag is the document's, so
 * `If-None-Match: *` on an existing document always fails.
 */
export function evaluatePreconditions(method: string, current: string | undefined, ifMatch: string | undefined, ifNoneMatch: string | undefined): PreconditionResult {
  if (ifMatch !== undefined) {
    const list = parseTagList(ifMatch);
    const ok = current !== undefined && (list === '*' || list.some((t) => !t.weak && t.tag === current));
    if (!ok) return 412;
  }
  if (ifNoneMatch !== undefined) {
    const list = parseTagList(ifNoneMatch);
    const matches = current !== undefined && (list === '*' || list.some((t) => t.tag === current));
    if (matches) return method === 'GET' || method === 'HEAD' ? 304 : 412;
  }
  return 'pass';
}
