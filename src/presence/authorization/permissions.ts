import type { AttributePermission, DeviceSelector, GeoprivLevel, Permissions, PersonSelector, ServiceSelector, UserInputLevel } from './model.js';
import { USER_INPUT_VALUE } from './model.js';

/**
 * Permission values and their combination (RFC 4745 §10.2): each permission is combined separately;
 * Booleans by OR, sets by union, enumerated integers by maximum. A permission a rule does not state has
 * the lowest value of its type, so the combination only ever grants.
 */

const EMPTY: ReadonlySet<never> = new Set();

/** Nothing: no component and no attribute (the lowest value of every permission). */
export const NO_PERMISSIONS: Permissions = Object.freeze({
  services: Object.freeze({ all: false, classes: EMPTY, occurrenceIds: EMPTY, serviceUris: EMPTY, serviceUriSchemes: EMPTY, serviceIds: EMPTY }),
  persons: Object.freeze({ all: false, classes: EMPTY, occurrenceIds: EMPTY }),
  devices: Object.freeze({ all: false, classes: EMPTY, occurrenceIds: EMPTY, deviceIds: EMPTY }),
  allAttributes: false,
  attributes: EMPTY,
  userInput: 'false',
  geopriv: 'false',
  unknownAttributes: EMPTY,
});

/**
 * Everything: all services, persons and devices with all their attributes — the view of a watcher the
 * presentity places no limit on (its own subscriptions, the configured default without pres-rules).
 */
export const FULL_PERMISSIONS: Permissions = Object.freeze({
  ...NO_PERMISSIONS,
  services: Object.freeze({ ...NO_PERMISSIONS.services, all: true }),
  persons: Object.freeze({ ...NO_PERMISSIONS.persons, all: true }),
  devices: Object.freeze({ ...NO_PERMISSIONS.devices, all: true }),
  allAttributes: true,
});

/** True when `p` shows every component with every attribute, i.e. the document unchanged. */
export function isFull(p: Permissions): boolean {
  return p.services.all && p.persons.all && p.devices.all && p.allAttributes;
}

function union<T>(sets: readonly ReadonlySet<T>[]): ReadonlySet<T> {
  const nonEmpty = sets.filter((s) => s.size > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? EMPTY;
  const out = new Set<T>();
  for (const s of nonEmpty) for (const v of s) out.add(v);
  return out;
}

function maxLevel<L extends string>(levels: readonly L[], value: Readonly<Record<L, number>>, lowest: L): L {
  let best = lowest;
  for (const l of levels) if (value[l] > value[best]) best = l;
  return best;
}

/** Combines the permissions of the matching rules (RFC 4745 §10.2); none gives {@link NO_PERMISSIONS}. */
export function combinePermissions(list: readonly Permissions[]): Permissions {
  if (list.length === 0) return NO_PERMISSIONS;
  if (list.length === 1) return list[0]!;
  const s = list.map((p) => p.services);
  const p = list.map((x) => x.persons);
  const d = list.map((x) => x.devices);
  const services: ServiceSelector = {
    all: s.some((x) => x.all),
    classes: union(s.map((x) => x.classes)),
    occurrenceIds: union(s.map((x) => x.occurrenceIds)),
    serviceUris: union(s.map((x) => x.serviceUris)),
    serviceUriSchemes: union(s.map((x) => x.serviceUriSchemes)),
    serviceIds: union(s.map((x) => x.serviceIds)),
  };
  const persons: PersonSelector = {
    all: p.some((x) => x.all),
    classes: union(p.map((x) => x.classes)),
    occurrenceIds: union(p.map((x) => x.occurrenceIds)),
  };
  const devices: DeviceSelector = {
    all: d.some((x) => x.all),
    classes: union(d.map((x) => x.classes)),
    occurrenceIds: union(d.map((x) => x.occurrenceIds)),
    deviceIds: union(d.map((x) => x.deviceIds)),
  };
  const userInput = maxLevel<UserInputLevel>(
    list.map((x) => x.userInput),
    USER_INPUT_VALUE,
    'false',
  );
  const geopriv: GeoprivLevel = list.some((x) => x.geopriv === 'full') ? 'full' : 'false';
  return {
    services,
    persons,
    devices,
    allAttributes: list.some((x) => x.allAttributes),
    attributes: union<AttributePermission>(list.map((x) => x.attributes)),
    userInput,
    geopriv,
    unknownAttributes: union(list.map((x) => x.unknownAttributes)),
  };
}

const sorted = (s: ReadonlySet<string>): string[] => [...s].sort();

/**
 * A string identifying the permissions: equal permissions give equal keys, so watchers with the same
 * grants share one rendered view.
 */
export function permissionsKey(p: Permissions): string {
  const { services: s, persons: q, devices: d } = p;
  return JSON.stringify([
    [s.all, sorted(s.classes), sorted(s.occurrenceIds), sorted(s.serviceUris), sorted(s.serviceUriSchemes), sorted(s.serviceIds)],
    [q.all, sorted(q.classes), sorted(q.occurrenceIds)],
    [d.all, sorted(d.classes), sorted(d.occurrenceIds), sorted(d.deviceIds)],
    p.allAttributes,
    sorted(p.attributes),
    p.userInput,
    p.geopriv,
    sorted(p.unknownAttributes),
  ]);
}
