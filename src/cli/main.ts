#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { publishCommand } from './publish.js';
import { rulesCommand } from './rules.js';
import { serveCommand } from './serve.js';
import { usersCommand } from './users.js';
import { watchCommand } from './watch.js';
import { watchersCommand } from './watchers.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('presenced')
  .description('presenced: a 3GPP presence service (TS 23.141) over SIP SIMPLE and OMA Presence SIMPLE')
  .version(pkg.version)
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(publishCommand())
  .addCommand(watchCommand())
  .addCommand(usersCommand())
  .addCommand(rulesCommand())
  .addCommand(watchersCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`presenced: ${e.message}\n`);
  } else if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`presenced: ${(e as Error).message}: another process holds that port; choose another with --sip-port\n`);
  } else {
    process.stderr.write(`presenced: ${(e as Error).message ?? String(e)}\n`);
  }
  process.exit(1);
});
