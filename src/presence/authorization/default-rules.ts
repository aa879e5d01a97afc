import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import { POLICY_NS } from './model.js';
import { appendRule } from './rule-dom.js';
import { XMLNS_NAMESPACE } from '../../util/xml-dom.js';

/**
 * The default pres-rules document an operator provisions for each user (TS 23.141 §7; OMA Presence
 * SIMPLE, the `wp_prs_*` rules), which users then edit:
 * - `wp_prs_allow_own`: the presentity sees all of its own presence;
 * - `wp_prs_grantedcontacts`: the watchers of the user's `oma_grantedcontacts` list see everything;
 * - `wp_prs_blockedcontacts`: the watchers of the `oma_blockedcontacts` list are blocked;
 * - `wp_prs_unlisted`: any other identified watcher is held pending (confirm) until the user decides;
 * - `wp_prs_block_anonymous`: anonymous requests are blocked.
 * The two lists are external lists (OMA external-list) in the user's resource-lists document `index`.
 */

/** Name of the resource-lists list of watchers granted by the default rules (OMNA URI-list usage). */
export const GRANTED_CONTACTS = 'oma_grantedcontacts';
/** Name of the resource-lists list of watchers blocked by the default rules (OMNA URI-list usage). */
export const BLOCKED_CONTACTS = 'oma_blockedcontacts';

/** A path segment (RFC 3986 §3.3 pchar): everything else percent-encoded. */
function segment(s: string): string {
  return encodeURIComponent(s).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/g, (e) => decodeURIComponent(e));
}

/**
 * The XCAP URI (RFC 4825 §6) of the list `name` in the resource-lists document `index` of `aor`:
 * `<xcapRoot>/resource-lists/users/<aor>/index/~~/resource-lists/list%5B@name=%22<name>%22%5D`.
 * `xcapRoot` is absolute, without a trailing slash (e.g. `https://xcap.example.com/xcap`).
 */
export function listAnchor(xcapRoot: string, aor: string, name: string): string {
  const root = xcapRoot.replace(/\/+$/, '');
  return `${root}/resource-lists/users/${segment(aor)}/index/~~/resource-lists/list%5B@name=%22${segment(name)}%22%5D`;
}

/**
 * The OMA default rule set of `presentityAor` (see the module description) as an
 * `application/auth-policy+xml` document. `xcapRoot` is the absolute XCAP root URI its external-list
 * anchors point into (see {@link listAnchor}).
 */
export function defaultRuleSet(presentityAor: string, xcapRoot: string): Buffer {
  const { cp, pr, ocp } = POLICY_NS;
  const doc = new DOMImplementation().createDocument(cp, 'cr:ruleset', null);
  const root = doc.documentElement!;
  root.setAttributeNS(XMLNS_NAMESPACE, 'xmlns:cr', cp);
  root.setAttributeNS(XMLNS_NAMESPACE, 'xmlns:pr', pr);
  root.setAttributeNS(XMLNS_NAMESPACE, 'xmlns:ocp', ocp);
  appendRule(root, { id: 'wp_prs_allow_own', conditions: [{ identity: [presentityAor] }], subHandling: 'allow', fullView: true });
  appendRule(root, {
    id: 'wp_prs_grantedcontacts',
    conditions: [{ externalList: [listAnchor(xcapRoot, presentityAor, GRANTED_CONTACTS)] }],
    subHandling: 'allow',
    fullView: true,
  });
  appendRule(root, {
    id: 'wp_prs_blockedcontacts',
    conditions: [{ externalList: [listAnchor(xcapRoot, presentityAor, BLOCKED_CONTACTS)] }],
    subHandling: 'block',
    fullView: false,
  });
  appendRule(root, { id: 'wp_prs_unlisted', conditions: [{ otherIdentity: true }], subHandling: 'confirm', fullView: false });
  appendRule(root, { id: 'wp_prs_block_anonymous', conditions: [{ anonymousRequest: true }], subHandling: 'block', fullView: false });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}\n`, 'utf8');
}
