import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { configSchema } from './schema.js';
import type { Config, ConfigInput } from './schema.js';

/** A configuration that cannot be used; `message` lists each bad value with its path and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates a configuration object and returns it deeply frozen.
 * @throws ConfigError naming every bad value by its path (e.g. `sip.port`) and what would be valid.
 */
export function validateConfig(input: unknown, source = 'configuration'): Readonly<Config> {
  const r = configSchema.safeParse(input);
  if (!r.success) throw new ConfigError(describe(r.error, source));
  return deepFreeze(r.data);
}

/**
 * Reads a JSON configuration file, applies `overrides` (command-line options) on top, and validates.
 * @throws ConfigError when the file cannot be read, is not JSON, or holds a bad value.
 */
export function loadConfig(file: string | undefined, overrides: ConfigInput = {}): Readonly<Config> {
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`${file}: cannot read the configuration file (${(e as Error).message})`);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file}: not valid JSON (${(e as Error).message}); fix the syntax`);
    }
  }
  return validateConfig(merge(fromFile, overrides), file ?? 'command line');
}

function describe(error: z.ZodError, source: string): string {
  const lines = error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(top level)';
    const fix = i.code === 'unrecognized_keys' ? ` (remove it; see \`presenced serve --help\` for valid keys)` : '';
    return `  ${path}: ${i.message}${fix}`;
  });
  return `${source}: invalid configuration\n${lines.join('\n')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v !== undefined) out[k] = merge(base[k], v);
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (isObject(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
