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

// bench/layer.mjs drives each app in process; its warm-up checks are what keep an app from
// looking fast by skipping work, so they must pass for every app the tables compare.
describe('bench/layer.mjs', () => {
  it('measures bare, the floor, express-session and ours in every scenario and reports each layer against the floor', async () => {
    const { stdout } = await run(
      process.execPath,
      [resolve(BENCH, 'layer.mjs'), '--apps', 'bare,floor,express-session,ours', '--processes', '1', '--rounds', '1', '--requests', '20', '--warm', '30'],
      { timeout: 120_000 },
    );
    for (const scenario of ['S1 new visitor', 'S2 returning reader', 'S3 returning writer', 'S4 rolling']) {
      assert.match(stdout, new RegExp(`${scenario}: Node v\\d+`));
    }
    assert.equal(stdout.match(/^\| floor \| [\d.]+ \| [\d.]+ \| 1\.00 \|/gm)?.length, 4);
    assert.equal(stdout.match(/^\| ours \| [\d.]+ \| -?[\d.]+ \| -?[\d.]+ \|/gm)?.length, 4);
  });
});
