import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const flows = resolve(__dirname, 'fixtures', 'debug-flows.js');

interface Run {
  /** The debug output. */
  log: string;
  /** Every session id and Set-Cookie value (encoded and decoded) the flows produced. */
  secrets: { ids: string[]; values: string[] };
}

/** Run every logging flow in a fresh process with DEBUG=express-session. */
async function runFlows(which: 'ours' | 'upstream'): Promise<Run> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [flows, which], {
    cwd: resolve(__dirname, '..', '..'),
    env: { ...process.env, DEBUG: 'express-session', DEBUG_COLORS: 'no', NO_DEPRECATION: 'express-session' },
    timeout: 20_000,
  });
  return { log: stderr, secrets: JSON.parse(stdout) as Run['secrets'] };
}

/**
 * The event of each log line, with its id, tag or cookie value removed, and without the advice
 * we add after a colon to events 1.19.0 logged bare ("not secured: …use trust proxy…").
 */
function events(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.includes('express-session '))
    .map((line) => line.slice(line.indexOf('express-session ') + 'express-session '.length))
    .map((message) => message.replace(/ (for )?(sid#[0-9a-f]{6}|[A-Za-z0-9_-]{32}|connect\.sid=.*)$/, '').replace(/^error .*/, 'error').replace(/^(not secured): .*/, '$1'));
}

function counts(list: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const item of list) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

describe('DEBUG=express-session output', () => {
  let ours: Run;
  let upstream: Run;
  before(async () => {
    [ours, upstream] = await Promise.all([runFlows('ours'), runFlows('upstream')]);
  });

  it('never contains a session id, in any request of any flow', () => {
    assert.ok(ours.secrets.ids.length >= 5, 'the flows made sessions');
    for (const id of ours.secrets.ids) assert.equal(ours.log.includes(id), false, `id ${id} leaked`);
    // Not even one the flows did not record: uid-safe ids are 32 base64url characters.
    assert.doesNotMatch(ours.log, /[A-Za-z0-9_-]{32}/);
  });

  it('never contains a signed cookie value or its MAC, encoded or not', () => {
    assert.ok(ours.secrets.values.length >= 10);
    for (const value of ours.secrets.values) {
      assert.equal(ours.log.includes(value), false, `cookie value ${value} leaked`);
      const mac = value.slice(value.lastIndexOf('.') + 1);
      assert.equal(ours.log.includes(mac), false, `MAC ${mac} leaked`);
    }
    assert.doesNotMatch(ours.log, /s(:|%3A)/);
  });

  it('tags sessions with a short hash, the same tag for the same session across requests', () => {
    const tags = ours.log.match(/sid#[0-9a-f]{6}\b/g) ?? [];
    assert.ok(tags.length >= 10);
    // The first session is fetched again on the next requests: its tag repeats.
    assert.ok(new Set(tags).size < tags.length);
  });

  it('logs every event express-session 1.19.0 logs for the same flows, at least as often', () => {
    const mine = counts(events(ours.log));
    const theirs = counts(events(upstream.log));
    assert.ok(theirs.size >= 15, `the flows exercised ${theirs.size} kinds of event`);
    for (const [event, n] of theirs) {
      assert.ok((mine.get(event) ?? 0) >= n, `"${event}": ${mine.get(event) ?? 0} times here, ${n} in 1.19.0`);
    }
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort(), 'no event of its own either');
  });

  it('where express-session 1.19.0 printed ids and cookie values (what these checks would catch)', () => {
    assert.ok(upstream.secrets.ids.some((id) => upstream.log.includes(id)));
    assert.match(upstream.log, /set-cookie connect\.sid=s%3A/);
  });
});
