#!/usr/bin/env node
// Launcher of the `zktensor` command.
//
// An installed package (npm pack / npm install) holds only compiled JavaScript
// (dist/, built by `prepack`), so it runs dist/cli/main.js: no TypeScript
// tooling at run time. A git checkout has src/ next to bin/; there we run the
// TypeScript sources through tsx (a devDependency, resolved from this
// package, not from the working directory), because a dist/ left behind by
// an earlier build or `npm pack` would silently run stale code. A checkout
// without tsx falls back to dist/ when it exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/cli/main.js', root);
const source = new URL('src/cli/main.ts', root);

async function loadSourceCli() {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    return undefined;
  }
  tsx.register();
  return import(source.href);
}

let cli;
if (existsSync(fileURLToPath(source))) cli = await loadSourceCli();
if (!cli && existsSync(fileURLToPath(dist))) cli = await import(dist.href);
if (!cli) {
  process.stderr.write(
    `zktensor: nothing to run — expected the compiled CLI at ${fileURLToPath(dist)} ` +
      `(run \`npm run build\`), or the TypeScript sources with tsx installed (run \`npm install\`)\n`,
  );
  process.exit(2);
}
process.exitCode = await cli.runCli(process.argv.slice(2));
