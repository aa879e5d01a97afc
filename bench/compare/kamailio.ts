import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, startCommand } from './targets.js';
import type { Target } from './targets.js';

// Kamailio 5.6 with its presence modules (Debian packages, installed by bench/install-bench-deps.sh),
// run with bench/kamailio/kamailio.cfg in the foreground.

/** Kamailio's configuration for this benchmark. */
export const KAMAILIO_CFG = resolve('bench/kamailio/kamailio.cfg');
/** Where Debian's kamailio package keeps the db_text table definitions. */
const DBTEXT_SCHEMA = '/usr/share/kamailio/dbtext/kamailio';
/** The tables the presence and presence_xml modules check at start-up. */
const TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap'];
/** Shared memory, MB: room for 10,000 watchers plus the hundreds of thousands of publications of a PUBLISH run. */
export const SHM_MB = 1024;
/** Private memory per process, MB. */
export const PKG_MB = 16;

/** Where {@link kamailioBinary} looks: the PATH, then the sbin directories Debian installs to. */
export function searchDirs(): string[] {
  return [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
}

/** Path of the first executable `kamailio` in `dirs`, or null when it is not installed. */
export function kamailioBinary(dirs: readonly string[] = searchDirs()): string | null {
  for (const dir of dirs) {
    const path = join(dir, 'kamailio');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** The first line of `kamailio -v` (its version). */
export function kamailioVersion(binary: string): string {
  return execFileSync(binary, ['-v'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** The command line the runner starts Kamailio with (also printed in the report). */
export function kamailioArgs(port: number, dbDir: string): string[] {
  return [
    '-f', KAMAILIO_CFG, '-DD', '-E', '-x', 'tlsf', '-m', String(SHM_MB), '-M', String(PKG_MB),
    '-l', `udp:127.0.0.1:${port}`, '-A', `DBURL="text://${dbDir}"`,
  ];
}

/**
 * Starts Kamailio on a free loopback port with a fresh db_text directory under `workDir` (table
 * definitions only: in-memory modes write nothing there per request).
 */
export async function startKamailio(binary: string, workDir: string): Promise<Target> {
  const dbDir = join(mkdtempSync(join(workDir, 'kamailio-')), 'db');
  mkdirSync(dbDir);
  for (const table of TABLES) copyFileSync(join(DBTEXT_SCHEMA, table), join(dbDir, table));
  const port = await freePort();
  return startCommand('Kamailio', port, binary, kamailioArgs(port, dbDir));
}
