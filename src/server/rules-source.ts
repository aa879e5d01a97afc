import type { Element } from '@xmldom/xmldom';
import type { RulesSource } from '../presence/authorization/authorizer.js';
import type { XcapDocumentStore } from '../store/ports.js';
import { RESOURCE_LISTS_AUID } from '../xcap/usages/list-constraints.js';
import { OMA_PRES_RULES_AUID, PRES_RULES_AUID } from '../xcap/usages/pres-rules.js';
import { evaluateSelector } from '../xcap/evaluate.js';
import { parseNodeSelector, parseXmlnsQuery } from '../xcap/node-selector.js';
import { parseXcapUri } from '../xcap/uri.js';
import { parseXcapDocument } from '../xcap/xml.js';
import { DEFAULT_XCAP_LIMITS } from '../xcap/server.js';

const RESOURCE_LISTS_NS = 'urn:ietf:params:xml:ns:resource-lists';

/**
 * The presence policy engine's view of the XCAP documents (issue 4 items 3 and 6): a presentity's
 * pres-rules — the OMA usage's document (`org.openmobilealliance.pres-rules/users/<aor>/pres-rules`) when
 * there is one, else the IETF one (`pres-rules/users/<aor>/index`, RFC 5025 §9.7) — and the members of
 * the resource-lists list an OMA external-list condition points at (an XCAP URI into a resource-lists
 * document, RFC 4826 §3; its `entry/@uri` values, nested lists included).
 */
export function xcapRulesSource(store: XcapDocumentStore, xcapRoot: string): RulesSource {
  return {
    async presRules(presentity) {
      const oma = await store.get(OMA_PRES_RULES_AUID, 'users', presentity, 'pres-rules');
      if (oma) return oma.body;
      return (await store.get(PRES_RULES_AUID, 'users', presentity, 'index'))?.body;
    },
    async resourceList(anchorUri) {
      let path: string;
      try {
        const url = new URL(anchorUri);
        path = url.pathname + url.search;
      } catch {
        return undefined;
      }
      const parsed = parseXcapUri(path, xcapRoot);
      if (!parsed.ok || parsed.uri.auid !== RESOURCE_LISTS_AUID) return undefined;
      const { uri } = parsed;
      const record = await store.get(uri.auid, uri.tree, uri.xui, uri.name);
      if (!record) return undefined;
      const { maxDocumentBytes, maxDepth, maxElements } = DEFAULT_XCAP_LIMITS;
      const doc = parseXcapDocument(record.body, { maxBytes: Math.max(maxDocumentBytes, record.body.length), maxDepth, maxElements });
      if (!('doc' in doc)) return undefined;
      let list: Element | undefined = doc.doc.documentElement ?? undefined;
      if (uri.nodeSelector !== undefined) {
        const bindings = uri.query === undefined ? new Map<string, string>() : parseXmlnsQuery(uri.query);
        if (!(bindings instanceof Map)) return undefined;
        const selector = parseNodeSelector(uri.nodeSelector, bindings, RESOURCE_LISTS_NS);
        if (!('steps' in selector)) return undefined;
        const selection = evaluateSelector(doc.doc, selector);
        list = selection.kind === 'element' ? selection.element : undefined;
      }
      if (!list) return undefined;
      const members: string[] = [];
      const entries = list.getElementsByTagNameNS(RESOURCE_LISTS_NS, 'entry');
      for (let i = 0; i < entries.length; i++) {
        const u = entries.item(i)?.getAttribute('uri');
        if (u) members.push(u);
      }
      return members;
    },
  };
}
