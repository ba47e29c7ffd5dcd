// The package's own version, read from its package.json (one level above src/ and dist/),
// so that `lambda-image --version` and the generator's pin can never disagree with it.
import { readFileSync } from 'node:fs';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
