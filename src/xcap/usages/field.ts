/**
 * The `field` of a uniqueness-failure `<exists>` element (RFC 4825 §11.1): a URI relative to the
 * document, starting with the root element, that selects the element or attribute whose value is not
 * unique — a node selector (RFC 4825 §6.3) made of positional steps, percent-encoded, with the query
 * component binding the namespace prefixes it uses (RFC 4825 §6.4).
 */
import type { Element, Node } from '@xmldom/xmldom';

const ELEMENT_NODE = 1;

// RFC 3986 §3.3 pchar without pct-encoded: everything else in a step is percent-encoded (RFC 4825 §6.3).
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** Percent-encodes the UTF-8 octets of every character of `text` that is not a pchar. */
function encodeStep(text: string): string {
  let out = '';
  for (const c of text) {
    if (PCHAR.test(c)) out += c;
    else for (const b of Buffer.from(c, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `el`'s position among its siblings with its expanded name (1-based), and how many there are. */
function positionOf(el: Element): { position: number; count: number } {
  let position = 0;
  let count = 0;
  for (let n: Node | null = el.parentNode?.firstChild ?? null; n; n = n.nextSibling) {
    if (n.nodeType !== ELEMENT_NODE) continue;
    const sibling = n as Element;
    if (sibling.namespaceURI !== el.namespaceURI || sibling.localName !== el.localName) continue;
    count++;
    if (sibling === el) position = count;
  }
  return { position, count };
}

/**
 * Builds `field` values for the documents of one application usage: elements in `defaultNamespace`
 * (the usage's default document namespace, RFC 4825 §5.2) are named without a prefix, elements of the
 * namespaces in `prefixes` (prefix → namespace URI) with their prefix.
 */
export class FieldNamer {
  constructor(
    private readonly defaultNamespace: string,
    private readonly prefixes: Readonly<Record<string, string>> = {},
  ) {}

  /**
   * The field selecting `el`, or its attribute `attribute` (an attribute in no namespace), e.g.
   * `rls-services/service%5B2%5D/@uri` or
   * `rls-services/service/list/rl:entry%5B3%5D/@uri?xmlns(rl=urn:ietf:params:xml:ns:resource-lists)`.
   * A step carries a position only when the element has siblings of the same name.
   */
  field(el: Element, attribute?: string): string {
    const steps: string[] = [];
    const used = new Map<string, string>();
    for (let n: Node | null = el; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
      const e = n as Element;
      const { position, count } = positionOf(e);
      const name = `${this.prefixFor(e.namespaceURI, used)}${e.localName}`;
      steps.unshift(encodeStep(count > 1 ? `${name}[${position}]` : name));
    }
    if (attribute !== undefined) steps.push(encodeStep(`@${attribute}`));
    const query = [...used].map(([prefix, ns]) => encodeStep(`xmlns(${prefix}=${ns})`)).join('');
    return query ? `${steps.join('/')}?${query}` : steps.join('/');
  }

  private prefixFor(namespace: string | null, used: Map<string, string>): string {
    if (namespace === this.defaultNamespace) return '';
    const prefix = Object.keys(this.prefixes).find((p) => this.prefixes[p] === namespace);
    if (prefix === undefined) throw new Error(`no XCAP prefix for namespace ${String(namespace)}`);
    used.set(prefix, namespace!);
    return `${prefix}:`;
  }
}
