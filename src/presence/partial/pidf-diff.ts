import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import { XMLSerializer } from '@xmldom/xmldom';
import { childElements, oneLine, parseXmlDom } from '../../util/xml-dom.js';
import { screenXml } from '../../util/xml-guard.js';
import type { ScreenLimits } from '../../util/xml-guard.js';
import { NS } from '../pidf/namespaces.js';
import { childOps } from './child-diff.js';
import { applyPatch, PatchError, PIDF_DIFF_NS } from './patch.js';
import { SelectorError } from './selector.js';

/**
 * application/pidf-diff+xml documents (RFC 5262): <pidf-full> carrying a whole presence document with a
 * version, and <pidf-diff> carrying RFC 5261 patch operations against the previous one. Builds both from
 * PIDF bodies written by `serializePidf` (every namespace declared on <presence>), and applies them.
 */

/** The media type of partial presence documents (RFC 5262 §5.2). */
export const PIDF_DIFF = 'application/pidf-diff+xml';

/** A pidf-diff+xml body that is not one, or cannot be applied; `status` is the SIP status to answer with. */
export class PidfDiffError extends Error {
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

/**
 * Written before <pidf-full> documents. <pidf-diff> documents go without it, as small as they can be:
 * the declaration is optional (XML 1.0 §2.8) and UTF-8 is the default (RFC 5262 §5.2, RFC 3023).
 */
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const DEFAULT_LIMITS: ScreenLimits = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 10_000 };

function escape(s: string, attribute: boolean): string {
  const re = attribute ? /[&<>"\t\n\r]/g : /[&<>\r]/g;
  return s.replace(re, (c) => `&#${c.charCodeAt(0)};`);
}

function attributes(el: Element, skip: (a: Attr) => boolean = () => false): string {
  let out = '';
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (!skip(a)) out += ` ${a.name}="${escape(a.value, true)}"`;
  }
  return out;
}

/**
 * Writes an element with the qualified names it has, adding no namespace declaration: the caller puts it
 * under a root declaring the same prefixes as the one it was parsed under.
 */
function write(n: Node): string {
  if (n.nodeType === 3 || n.nodeType === 4) return escape(n.nodeValue ?? '', false);
  if (n.nodeType !== 1) return '';
  const el = n as Element;
  let inner = '';
  for (let c = el.firstChild; c; c = c.nextSibling) inner += write(c);
  return inner ? `<${el.tagName}${attributes(el)}>${inner}</${el.tagName}>` : `<${el.tagName}${attributes(el)}/>`;
}

/** A prefix for the pidf-diff namespace that `root` does not use. */
function diffPrefix(root: Element): string {
  let p = 'p';
  for (let i = 1; root.lookupNamespaceURI(p) !== null && root.lookupNamespaceURI(p) !== PIDF_DIFF_NS; i++) p = `p${i}`;
  return p;
}

function parseTrusted(body: Buffer): Element {
  const dom = parseXmlDom(body.toString('utf8'));
  if (typeof dom === 'string' || !dom.documentElement) throw new Error(`not a PIDF document: ${typeof dom === 'string' ? dom : 'empty'}`);
  return dom.documentElement;
}

/** The start tag of a pidf-diff root named `local`, with the declarations and attributes of <presence> `root`. */
function rootTag(root: Element, local: 'pidf-full' | 'pidf-diff', version: number, extra = '', skip?: (a: Attr) => boolean): { open: string; close: string; p: string } {
  const p = diffPrefix(root);
  const decl = root.lookupNamespaceURI(p) === PIDF_DIFF_NS ? '' : ` xmlns:${p}="${PIDF_DIFF_NS}"`;
  // RFC 5262 §3.1, RFC 5263 §4.4: the version attribute, one counter across full and diff documents.
  const open = `<${p}:${local}${attributes(root, skip)}${decl}${extra} version="${version}"`;
  return { open, close: `</${p}:${local}>\n`, p };
}

/**
 * A <pidf-full> document (RFC 5262 §3) with the content of the PIDF body `full` and `version`.
 * @throws Error when `full` is not a well-formed document (a bug: it comes from serializePidf).
 */
export function buildPidfFull(full: Buffer, version: number): Buffer {
  const root = parseTrusted(full);
  const { open, close } = rootTag(root, 'pidf-full', version);
  const children = childElements(root).map((c) => write(c)).join('\n');
  return Buffer.from(`${XML_DECLARATION}${children ? `${open}>\n${children}\n${close}` : `${open}/>\n`}`, 'utf8');
}

/** A key per top-level child: components (tuple, person, device: RFC 4479 §3.5 ids) by id, others by content. */
function keyed(root: Element): Array<{ key: string; el: Element; component: boolean }> {
  return childElements(root).map((el) => {
    const id = el.getAttribute('id');
    const component = !!id && ((el.namespaceURI === NS.pidf && el.localName === 'tuple') || (el.namespaceURI === NS.dm && (el.localName === 'person' || el.localName === 'device')));
    return { key: component ? `#${id!}` : `=${write(el)}`, el, component };
  });
}

/**
 * The keys present in both lists that keep their place: a longest subsequence of `now`'s common keys in
 * increasing order of their position in `old` (the others moved). O(n²) over the top-level children.
 */
function staying(old: ReadonlyArray<{ key: string }>, now: ReadonlyArray<{ key: string }>): Set<string> {
  const at = new Map(old.map((c, i) => [c.key, i]));
  const seq = now.filter((c) => at.has(c.key)).map((c) => ({ key: c.key, pos: at.get(c.key)! }));
  const len: number[] = [];
  const prev: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    len[i] = 1;
    prev[i] = -1;
    for (let j = 0; j < i; j++) {
      if (seq[j]!.pos < seq[i]!.pos && len[j]! + 1 > len[i]!) {
        len[i] = len[j]! + 1;
        prev[i] = j;
      }
    }
  }
  const out = new Set<string>();
  let best = -1;
  for (let i = 0; i < seq.length; i++) if (best < 0 || len[i]! > len[best]!) best = i;
  for (let i = best; i >= 0; i = prev[i]!) out.add(seq[i]!.key);
  return out;
}

function selector(el: Element): string {
  return `*/${el.tagName}[@id="${el.getAttribute('id')!}"]`;
}

/**
 * A <pidf-diff> document (RFC 5262 §3) turning the PIDF body `previous` into `next` at the level of
 * tuples, persons and devices (by id, RFC 4479 §3.5): changed components replaced (or only their changed
 * children, when smaller: see child-diff.ts), new ones added in place, gone ones removed, moved ones removed and added again (RFC 5263 §4.4). Undefined when the change is not expressible that way (the
 * entity, root attributes or other top-level elements changed or moved, or a prefix of a
 * removed component is bound otherwise now) or when the diff would not be smaller than the <pidf-full>
 * document: the caller then sends full state (RFC 5262 §4).
 */
export function buildPidfDiff(previous: Buffer, next: Buffer, version: number): Buffer | undefined {
  const before = parseTrusted(previous);
  const after = parseTrusted(next);
  // The entity and other root attributes have no <pidf-diff> form here: a change of them is full state.
  const plain = (a: Attr): boolean => a.name === 'xmlns' || a.prefix === 'xmlns';
  if (attributes(before, plain) !== attributes(after, plain)) return undefined;
  const old = keyed(before);
  const now = keyed(after);
  const oldKeys = new Map(old.map((c) => [c.key, c]));
  const newKeys = new Set(now.map((c) => c.key));
  // Non-component children have no id to select them by: any change there means full state.
  if (old.some((c) => !c.component && !newKeys.has(c.key)) || now.some((c) => !c.component && !oldKeys.has(c.key))) return undefined;
  const stay = staying(old, now);
  // A moved component is removed and added again; a moved non-component cannot be: full state.
  if (now.some((c) => !c.component && !stay.has(c.key))) return undefined;

  const p = diffPrefix(after);
  const ops: string[] = [];
  const extraDecls = new Map<string, string>();
  for (const c of old) {
    if (stay.has(c.key)) continue;
    if (!newKeys.has(c.key)) {
      const prefix = c.el.prefix ?? '';
      const uri = c.el.namespaceURI ?? '';
      const bound = after.lookupNamespaceURI(prefix);
      if (bound !== null && bound !== uri) return undefined;
      if (bound === null) {
        if (prefix === '') return undefined;
        extraDecls.set(prefix, uri);
      }
    }
    // RFC 5263 §4.4: removed information is listed inside <remove> elements.
    ops.push(`<${p}:remove sel='${selector(c.el)}'/>`);
  }
  for (let i = 0; i < now.length; i++) {
    const c = now[i]!;
    if (stay.has(c.key)) {
      const text = write(c.el);
      const was = oldKeys.get(c.key)!.el;
      if (write(was) === text) continue;
      // RFC 5263 §4.4: changed information is listed under <replace> elements: the whole component, or
      // its changed children when that is smaller (and the component's own attributes are unchanged).
      const whole = `<${p}:replace sel='${selector(c.el)}'>${text}</${p}:replace>`;
      const finer = attributes(was) === attributes(c.el) ? childOps(was, c.el, selector(c.el), p, after, write) : undefined;
      if (finer && finer.join('\n').length < whole.length) ops.push(...finer);
      else ops.push(whole);
      continue;
    }
    // RFC 5263 §4.4: added information is listed inside <add> elements, here before the next staying sibling.
    const anchor = now.slice(i + 1).find((n) => stay.has(n.key));
    const at = anchor ? (anchor.component ? `sel='${selector(anchor.el)}' pos="before"` : undefined) : `sel="*"`;
    if (at === undefined) return undefined;
    ops.push(`<${p}:add ${at}>${write(c.el)}</${p}:add>`);
  }
  const decls = [...extraDecls].map(([prefix, u]) => ` xmlns:${prefix}="${escape(u, true)}"`).join('');
  const text = ops.join('\n');
  // Prefixed declarations of <presence> that no operation uses are left out, the diff being as small as
  // it can be (the default namespace stays: unprefixed selector steps resolve to it, RFC 5261 §4.2.2).
  const unused = (a: Attr): boolean => a.prefix === 'xmlns' && !new RegExp(`(?<![\\w.-])${a.localName!.replace(/\./g, '\\.')}:`).test(text);
  const { open, close } = rootTag(after, 'pidf-diff', version, decls, unused);
  const body = ops.length ? `${open}>\n${text}\n${close}` : `${open}/>\n`;
  const diff = Buffer.from(body, 'utf8');
  return diff.length < buildPidfFull(next, version).length ? diff : undefined;
}

/** A pidf-diff+xml body, read: its root, version (when present) and the presence document it stands for. */
export interface PidfDiffDocument {
  readonly kind: 'full' | 'diff';
  readonly version: number | undefined;
  readonly entity: string | undefined;
  readonly root: Element;
}

/**
 * Reads a pidf-diff+xml body (RFC 5262 §3): its root must be <pidf-full> or <pidf-diff> in the
 * pidf-diff namespace (<presence> is disallowed as the root). Wire input: screened first.
 * @throws PidfDiffError 400 (413 when too large) naming the defect.
 */
export function readPidfDiff(body: Buffer, limits: ScreenLimits = DEFAULT_LIMITS): PidfDiffDocument {
  const screened = screenXml(body, limits, 'pidf-diff');
  if (!screened.ok) throw new PidfDiffError(screened.status, screened.defect);
  const dom = parseXmlDom(screened.text);
  if (typeof dom === 'string') throw new PidfDiffError(400, `pidf-diff: not well-formed XML: ${oneLine(dom, 100)}`);
  const root = dom.documentElement;
  // RFC 5262 §3: the root is <pidf-full> or <pidf-diff>; <presence> as the root is disallowed.
  if (!root || root.namespaceURI !== PIDF_DIFF_NS || (root.localName !== 'pidf-full' && root.localName !== 'pidf-diff')) {
    throw new PidfDiffError(400, 'pidf-diff: root element is not <pidf-full> or <pidf-diff> in urn:ietf:params:xml:ns:pidf-diff');
  }
  const v = root.getAttribute('version');
  if (v && !/^\d{1,15}$/.test(v)) throw new PidfDiffError(400, `pidf-diff: bad version ${v}`);
  return { kind: root.localName === 'pidf-full' ? 'full' : 'diff', version: v ? Number(v) : undefined, entity: root.getAttribute('entity') || undefined, root };
}

/** The <presence> document (PIDF text) carried by a <pidf-full> root (RFC 5262 §3: same content as PIDF). */
function presenceOf(root: Element): string {
  const declared = root.lookupNamespaceURI('');
  // <presence> is written in the default namespace, which its unprefixed children share.
  if (declared !== null && declared !== NS.pidf) throw new PidfDiffError(400, 'pidf-diff: the default namespace of <pidf-full> must be PIDF');
  const skip = (a: Attr): boolean => a.name === 'version' || a.name === 'xmlns' || (a.prefix === 'xmlns' && a.value === PIDF_DIFF_NS);
  const children = childElements(root).map((c) => write(c)).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${NS.pidf}"${attributes(root, skip)}>\n${children}\n</presence>\n`;
}

/**
 * The presence document (PIDF text) a pidf-diff+xml document yields: a <pidf-full> gives its content;
 * a <pidf-diff> gives `current` (a PIDF body) patched by its operations in order (RFC 5261 §4). The
 * result is not validated as PIDF here.
 * @throws PidfDiffError 400 when a <pidf-diff> comes without `current`, an entity differs from the one of
 *   `current` (RFC 5262 §3.2), or an operation cannot be applied (RFC 5264 §4.3.2).
 */
export function applyPidfDiff(current: Buffer | undefined, doc: PidfDiffDocument): Buffer {
  if (doc.kind === 'full') return Buffer.from(presenceOf(doc.root), 'utf8');
  if (!current) throw new PidfDiffError(400, 'pidf-diff: a <pidf-diff> needs a previous full document');
  const dom = parseXmlDom(current.toString('utf8'));
  if (typeof dom === 'string' || !dom.documentElement) throw new PidfDiffError(400, 'pidf-diff: the previous document is not XML');
  const target: Document = dom;
  // RFC 5262 §3.2: the entity of a <pidf-diff> MUST be the one of <presence>.
  if (doc.entity !== undefined && doc.entity !== target.documentElement!.getAttribute('entity')) {
    throw new PidfDiffError(400, 'pidf-diff: entity differs from the presence document');
  }
  try {
    applyPatch(target, doc.root);
  } catch (err) {
    if (err instanceof PatchError || err instanceof SelectorError) throw new PidfDiffError(400, `pidf-diff: ${err.message}`);
    throw err;
  }
  return Buffer.from(new XMLSerializer().serializeToString(target), 'utf8');
}
