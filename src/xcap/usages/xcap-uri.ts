/**
 * Checks on the URIs documents use to point at other XCAP resources (RFC 4826 §3.1, §3.4.5, §4.4.5),
 * made by examining the URI text, never by dereferencing it.
 */

// RFC 3986 §2: the characters a URI may contain, with '%' only as the start of a pct-encoded octet.
const URI_TEXT = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

// RFC 3986 §3.1: scheme ":" at the start makes a URI absolute.
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Where an XCAP URI points: the tree of the AUID's directory and, in the users tree, the XUI. */
export interface XcapTarget {
  readonly tree: 'users' | 'global';
  /** The XUI, percent-decoded; '' in the global tree. */
  readonly xui: string;
}

/** True when `text` is made only of URI characters, percent-encoded where needed (RFC 3986 §2). */
export function isUriText(text: string): boolean {
  return URI_TEXT.test(text);
}

/** Decodes a path segment; undefined when its percent-encoding is not valid UTF-8. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Finds the document selector of `auid` in the path segments `segments` (RFC 4825 §6.2:
 * `<auid>/users/<xui>/…` or `<auid>/global/…`), before any node selector separator `~~`. The XCAP root
 * may have path segments of its own, so the first `<auid>` segment followed by `users` or `global` is
 * taken as the AUID's.
 */
function targetIn(segments: readonly string[], auid: string): XcapTarget | undefined {
  const end = segments.indexOf('~~');
  const path = end < 0 ? segments : segments.slice(0, end);
  for (let i = 0; i + 1 < path.length; i++) {
    if (path[i] !== auid) continue;
    if (path[i + 1] === 'global') return { tree: 'global', xui: '' };
    if (path[i + 1] === 'users' && i + 2 < path.length) {
      const xui = decodeSegment(path[i + 2]!);
      if (xui !== undefined && xui !== '') return { tree: 'users', xui };
    }
  }
  return undefined;
}

/**
 * For an absolute HTTP(S) URI (RFC 4826 §3.1 "absolute HTTP URI"; HTTPS is HTTP over TLS, which XCAP
 * recommends) of a resource of `auid`: where it points. Undefined when `uri` is not such a URI.
 */
export function absoluteXcapTarget(uri: string, auid: string): XcapTarget | undefined {
  if (!isUriText(uri) || !/^https?:\/\/[^/?#]/i.test(uri)) return undefined;
  const path = uri.replace(/^https?:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '');
  return targetIn(path.split('/'), auid);
}

/**
 * For a relative path reference (RFC 3986 §4.2: no scheme, not starting with "/"), resolved against an
 * XCAP root, of a resource of `auid` (RFC 4826 §3.1 `<entry-ref ref>`): where it points, looking at its
 * first segments only. Undefined when `ref` is not such a reference.
 */
export function relativeXcapTarget(ref: string, auid: string): XcapTarget | undefined {
  if (!isUriText(ref) || ref.startsWith('/') || SCHEME.test(ref)) return undefined;
  const path = ref.replace(/[?#].*$/s, '').split('/');
  return path[0] === auid ? targetIn(path, auid) : undefined;
}
