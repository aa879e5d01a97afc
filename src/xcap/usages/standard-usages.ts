/**
 * The application usages presenced serves, built together for the composition root.
 */
import type { ApplicationUsage } from '../application-usage.js';
import { PidfManipulationUsage } from './pidf-manipulation.js';
import { PresRulesUsage } from './pres-rules.js';
import { ResourceListsUsage } from './resource-lists.js';
import { RlsServicesUsage } from './rls-services.js';
import type { RlsServicesOptions } from './rls-services.js';
import { XcapCapsUsage } from './xcap-caps.js';
import type { XcapCapsOptions } from './xcap-caps.js';

/** An application usage holding compiled schemas (wasm memory) until `dispose()`. */
export type StandardUsage = ApplicationUsage & { dispose(): void };

/** The deployment-specific parts of the usages. */
export interface StandardUsagesOptions {
  readonly rlsServices?: RlsServicesOptions;
  readonly xcapCaps?: XcapCapsOptions;
}

/**
 * Every application usage presenced serves, in the order xcap-caps lists them: xcap-caps (RFC 4825
 * §12, which every server MUST support), pres-rules and org.openmobilealliance.pres-rules (RFC 5025,
 * OMA), resource-lists and rls-services (RFC 4826), pidf-manipulation (RFC 4827). Each compiles its
 * schemas here (some tens of milliseconds in all; free them with `dispose()` when the server closes);
 * throws when the schema files are missing.
 */
export function standardUsages(options: StandardUsagesOptions = {}): StandardUsage[] {
  return [
    new XcapCapsUsage(options.xcapCaps),
    new PresRulesUsage('ietf'),
    new PresRulesUsage('oma'),
    new ResourceListsUsage(),
    new RlsServicesUsage(options.rlsServices),
    new PidfManipulationUsage(),
  ];
}
