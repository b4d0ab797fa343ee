import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BENCH = resolve(__dirname, '../bench');

// The A/B benches beside the code are the evidence for each optimisation they name: they must
// keep running against the current build (`npm test` builds dist/ first), or the evidence rots.
describe('the A/B benches beside the code', () => {
  for (const file of readdirSync(BENCH).filter((name) => name.endsWith('.bench.mjs'))) {
    it(`${file} runs to the end and reports a ratio per case`, async () => {
      const { stdout } = await run(process.execPath, [resolve(BENCH, file), '--rounds', '1', '--ops', '200'], { timeout: 60_000 });
      assert.match(stdout, /\/\w+ \d+\.\d\d \(/);
    });
  }
});
