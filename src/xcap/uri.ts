/**
 * XCAP URIs (RFC 4825 §6): `<xcap-root>/<auid>/users/<xui>/<name>[/~~/<node-selector>][?<xmlns()…>]`
 * and `<xcap-root>/<auid>/global/<name>…`, read from the raw request target (the framework decodes
 * paths, which would turn an encoded '/' of an XUI or a node selector into a separator). Each part is
 * percent-decoded exactly once here.
 */
import type { XcapDocumentLocation } from './application-usage.js';

/** A request target split into its XCAP parts (decoded), or why it is not one. */
export type XcapUriParseResult = { readonly ok: true; readonly uri: XcapUri } | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

/** The parts of an XCAP URI. */
export interface XcapUri extends XcapDocumentLocation {
  /** The node selector after the first `~~` segment, percent-decoded once; absent for a document URI. */
  readonly nodeSelector?: string;
  /** The query component, percent-decoded once; absent when there is none. */
  readonly query?: string;
  /** The raw path of the document (xcap root and document selector, as sent), for URIs in responses. */
  readonly rawDocumentPath: string;
  /** The raw path of the directory holding it: the user's home directory or the global directory. */
  readonly rawDirectoryPath: string;
  /** The query component as sent (still percent-encoded), without '?'; absent when there is none. */
  readonly rawQuery?: string;
}

/** Percent-decodes once; undefined when the escapes are not valid UTF-8. */
function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Splits a raw request target (`request.raw.url`: path and query, still percent-encoded) under `root`
 * (e.g. `/xcap`, no trailing slash). The XUI segment may come encoded (`sip%3Aalice%40example.com`) or
 * not (`sip:alice@example.com`): both decode to the same XUI. The node selector separator is the first
 * segment that decodes to `~~` (RFC 4825 §6: `%7E%7E` is equivalent). Status 404 when the target is not
 * a document (no AUID, tree or name; an unknown tree; an empty segment), 400 when an escape is not
 * valid UTF-8.
 */
export function parseXcapUri(rawUrl: string, root: string): XcapUriParseResult {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? undefined : rawUrl.slice(q + 1);
  if (!path.startsWith(`${root}/`)) return { ok: false, status: 404, reason: 'not under the XCAP root' };
  const segments = path.slice(root.length + 1).split('/');
  let sep = segments.findIndex((s) => decode(s) === '~~');
  if (sep < 0) sep = segments.length;
  const docSegments = segments.slice(0, sep);
  const decoded = docSegments.map(decode);
  if (decoded.some((s) => s === undefined)) return { ok: false, status: 400, reason: 'bad percent-encoding in the document selector' };
  const parts = decoded as string[];
  const [auid, tree] = parts;
  if (!auid || (tree !== 'users' && tree !== 'global')) return { ok: false, status: 404, reason: 'not a document selector: <auid>/users/<xui>/… or <auid>/global/…' };
  const xui = tree === 'users' ? parts[2] : '';
  const nameParts = parts.slice(tree === 'users' ? 3 : 2);
  // RFC 4825 §6.2: the document selector ends with the document's filename.
  if (xui === undefined || xui === '' && tree === 'users' || nameParts.length === 0 || nameParts.some((p) => p === '' || p.includes('/'))) {
    return { ok: false, status: 404, reason: 'not a document selector: missing XUI or document name' };
  }
  let nodeSelector: string | undefined;
  if (sep < segments.length) {
    const ns = decode(segments.slice(sep + 1).join('/'));
    if (ns === undefined) return { ok: false, status: 400, reason: 'bad percent-encoding in the node selector' };
    nodeSelector = ns;
  }
  let query: string | undefined;
  if (rawQuery !== undefined) {
    query = decode(rawQuery);
    if (query === undefined) return { ok: false, status: 400, reason: 'bad percent-encoding in the query component' };
  }
  const uri: XcapUri = {
    auid,
    tree,
    xui,
    name: nameParts.join('/'),
    rawDocumentPath: `${root}/${docSegments.join('/')}`,
    rawDirectoryPath: `${root}/${docSegments.slice(0, tree === 'users' ? 3 : 2).join('/')}`,
    ...(nodeSelector !== undefined && { nodeSelector }),
    ...(query !== undefined && { query, rawQuery }),
  };
  return { ok: true, uri };
}

// RFC 3986 pchar without pct-encoded: unreserved / sub-delims / ":" / "@".
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/**
 * Percent-encodes text for one path segment (RFC 3986 `pchar`): every UTF-8 octet of a character that
 * is not a pchar becomes %XX (RFC 4825 §6.3), '/' included. E.g. `list[@name="l1"]` ->
 * `list%5B@name=%22l1%22%5D`.
 */
export function encodeSegment(text: string): string {
  let out = '';
  for (const c of text) out += PCHAR.test(c) ? c : encodeURIComponent(c);
  return out;
}

/** A node selector (decoded steps, e.g. `resource-lists`, `list[@name="l1"]`) percent-encoded for a URI. */
export function encodeNodeSelector(steps: readonly string[]): string {
  return steps.map(encodeSegment).join('/');
}
