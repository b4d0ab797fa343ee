// Build: tsc to CommonJS with declarations, then the ES module wrapper and its declarations
// (.d.mts, so TypeScript sees the `import` condition as ESM) beside it.
// dist/ is not wiped first: tests running in parallel may be reading it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
mkdirSync('dist/esm', { recursive: true });
copyFileSync('src/esm/index.mjs', 'dist/esm/index.mjs');
copyFileSync('src/esm/index.d.mts', 'dist/esm/index.d.mts');
