import { SipError } from '../sip/message/sip-error.js';
import type { EventType } from '../sip/message/types.js';
import { AllowEventsHeader } from '../sip/parser/headers/event.js';
import type { EventPackage } from './event-package.js';

/**
 * The event packages this server is a notifier for (STYLE habit 3; Kamailio `presence/event_list.h`):
 * looked up by the Event header of SUBSCRIBE and PUBLISH, listed in Allow-Events, and the source of the
 * 489 Bad Event rejection.
 */
export class PackageRegistry {
  private readonly packages = new Map<string, EventPackage>();

  /**
   * Adds a package under its name (an event-type, e.g. `presence` or `presence.winfo`).
   * @throws Error when the name is not an event-type (RFC 6665 §8.4), is already registered, the package
   *   has no NOTIFY type, or its expiry policy is not `0 <= min <= default <= max`.
   */
  register(pkg: EventPackage): void {
    const parsed = AllowEventsHeader.parse([pkg.name]);
    if (!parsed.ok || parsed.value.length !== 1 || parsed.value[0] !== pkg.name) {
      throw new Error(`'${pkg.name}' is not an event-type`);
    }
    if (this.packages.has(pkg.name)) throw new Error(`event package '${pkg.name}' is already registered`);
    if (!pkg.notifyTypes.length) throw new Error(`event package '${pkg.name}' has no NOTIFY content type`);
    const { min, default: def, max } = pkg.expires;
    if (!(min >= 0 && min <= def && def <= max)) throw new Error(`event package '${pkg.name}' has an invalid expiry policy`);
    this.packages.set(pkg.name, pkg);
  }

  /**
   * The package named exactly `name`: RFC 6665 §8.2.1 compares event types byte by byte, so `Presence`
   * does not find `presence`.
   */
  get(name: string): EventPackage | undefined {
    return this.packages.get(name);
  }

  /**
   * The package an Event header value names (its package and templates joined by dots; parameters such
   * as `id` play no part).
   * @throws SipError 489 with Allow-Events ({@link reject489}) when `event` is absent (RFC 6665 §4.2.3: no
   *   PINT support) or names no registered package (§4.2.1.1).
   */
  forEvent(event: EventType | undefined): EventPackage {
    const pkg = event && this.packages.get([event.package, ...event.templates].join('.'));
    if (!pkg) throw this.reject489();
    return pkg;
  }

  /** Every registered package, in registration order. */
  all(): EventPackage[] {
    return [...this.packages.values()];
  }

  /**
   * Every registered event type, in registration order: the Allow-Events list (RFC 6665 §4.4.4).
   * Template packages such as `presence.winfo` are listed too, as the Allow-Events grammar allows.
   */
  names(): string[] {
    return [...this.packages.keys()];
  }

  /**
   * A 489 Bad Event rejection carrying Allow-Events with {@link names} (RFC 6665 §4.2.1.1, §8.3.2 and
   * §4.4.4: a notifier lists every package it supports).
   */
  reject489(): SipError {
    return new SipError(489, 'Bad Event', [['Allow-Events', this.names().join(', ')]]);
  }
}
