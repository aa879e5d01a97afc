import type { HeaderGrammar } from '../../message/headers.js';
import type { EventType } from '../../message/types.js';
import { isToken, parseList, runGrammar } from '../scanner.js';
import type { Scanner } from '../scanner.js';

/**
 * `event-type = event-package *( "." event-template )` (RFC 6665 §8.4). Case is kept: RFC 6665 §8.2.1
 * compares the event-type byte by byte, so `Presence` is not `presence`.
 */
function eventType(s: Scanner, what: string): Pick<EventType, 'package' | 'templates'> {
  s.ws();
  // A constant label for Event, read on every SUBSCRIBE, PUBLISH and NOTIFY.
  const type = s.token(what === 'Event' ? 'event type in Event' : `event type in ${what}`);
  // token-nodot = token characters but "." (RFC 6665 §8.4), so within a token only empty parts can fail.
  if (type.indexOf('.') < 0) return { package: type, templates: [] };
  const parts = type.split('.');
  if (parts.includes('')) s.fail(`invalid event type in ${what}`);
  return { package: parts[0]!, templates: parts.slice(1) };
}

/** One Event value: event-type *( SEMI event-param ). */
function event(s: Scanner): EventType {
  const t = eventType(s, 'Event');
  const params = new Map<string, string | null>();
  s.params(params, 'Event');
  s.end('Event');
  const id = params.get('id');
  // event-param = generic-param / ( "id" EQUAL token )
  if (id !== undefined && (id === null || !isToken(id))) s.fail('id parameter of Event is not a token');
  return { package: t.package, templates: t.templates, params };
}

/**
 * Event, compact form `o` (RFC 6665 §8.2.1, §8.4): one event-type with parameters (`id`, generic). The
 * package and template names keep their case; parameter names are lower-cased.
 */
export const EventHeader: HeaderGrammar<EventType> = {
  name: 'Event',
  parse(values) {
    // RFC 6665 §8.2.1: exactly one event type per Event header field; multiple events are disallowed.
    if (values.length > 1) return { ok: false, defect: 'more than one Event' };
    return runGrammar(values[0]!, event);
  },
};

/** Allow-Events, compact form `u` (RFC 6665 §8.2.2, §8.4): event types as written, merged across lines. */
export const AllowEventsHeader: HeaderGrammar<string[]> = {
  name: 'Allow-Events',
  parse: (values) =>
    parseList(values, (s) => {
      const t = eventType(s, 'Allow-Events');
      return [t.package, ...t.templates].join('.');
    }, 'Allow-Events'),
};

/**
 * Whether two Event values name the same subscription (RFC 6665 §8.2.1): the event-type compared byte by
 * byte, and the `id` parameter compared byte by byte; a value with an `id` never matches one without.
 * No other parameter counts.
 */
export function eventMatches(a: EventType, b: EventType): boolean {
  if (a.package !== b.package || a.templates.length !== b.templates.length) return false;
  if (a.templates.some((t, i) => t !== b.templates[i])) return false;
  return a.params.get('id') === b.params.get('id');
}
