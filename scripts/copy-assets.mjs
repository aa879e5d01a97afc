// Copies the data files the compiled code reads at run time from src/ to dist/src/ (tsc copies only
// what it compiles): the XML schemas of the XCAP application usages (src/xcap/schemas/*.xsd).
// Usage: node scripts/copy-assets.mjs   (run after `tsc -p tsconfig.json`, from the package root)
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ASSETS = [{ dir: 'src/xcap/schemas', suffix: '.xsd' }];

for (const { dir, suffix } of ASSETS) {
  const target = join('dist', dir);
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.endsWith(suffix)) copyFileSync(join(dir, name), join(target, name));
  }
}
