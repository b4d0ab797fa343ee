// The correctness pass: before any app is timed, and after every timed load, check that it did
// the work its scenario asks for (2xx responses, a valid signed cookie, the session stored,
// counters right). A build that skips the session work fails here instead of looking fast.
import { createRequire } from 'node:module';
import { get } from './http.mjs';
import { COOKIE_NAME, SCENARIOS, SECRET } from './scenarios.mjs';

const require = createRequire(import.meta.url);
const { unsign } = require('cookie-signature');

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function setCookies(response) {
  return response.headers['set-cookie'] ?? [];
}

/**
 * The one session cookie of a response, verified: `{ header, value, sid, attributes }`, where
 * `header` is what a browser sends back and `sid` the id inside the signature.
 */
function sessionCookie(response, where) {
  const lines = setCookies(response);
  check(lines.length === 1, `${where}: expected one Set-Cookie, got ${lines.length}`);
  const [pair, ...attributes] = lines[0].split('; ');
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq);
  const raw = pair.slice(eq + 1);
  check(name === COOKIE_NAME, `${where}: cookie named ${name}, expected ${COOKIE_NAME}`);
  const value = decodeURIComponent(raw);
  check(value.startsWith('s:'), `${where}: cookie value is not signed (${value})`);
  const sid = unsign(value.slice(2), SECRET);
  check(typeof sid === 'string' && sid.length > 0, `${where}: cookie signature does not verify`);
  return { header: `${COOKIE_NAME}=${raw}`, value, sid, attributes };
}

function expiresOf(attributes) {
  const line = attributes.find((a) => a.startsWith('Expires='));
  return line === undefined ? undefined : Date.parse(line.slice('Expires='.length));
}

function checkBody(response, scenario, where, expected = SCENARIOS[scenario].body) {
  check(response.status === 200, `${where}: status ${response.status}`);
  const ok = expected instanceof RegExp ? expected.test(response.body) : response.body === expected;
  check(ok, `${where}: body ${JSON.stringify(response.body)}, expected ${expected}`);
}

/** Response headers with the per-response values (date, cookie value, expiry) blanked out. */
function headerShape(response) {
  const shape = { ...response.headers };
  delete shape.date;
  if (shape['set-cookie']) {
    shape['set-cookie'] = shape['set-cookie'].map((line) =>
      line.replace(/^([^=]+)=[^;]*/, '$1=<value>').replace(/Expires=[^;]+/, 'Expires=<date>'),
    );
  }
  return JSON.stringify(shape, Object.keys(shape).sort());
}

/**
 * Check one app in one scenario and create what its load needs. Returns
 * `{ cookie, sid, shapes }`: the Cookie header to send (undefined for S1), the session id, and
 * the header shapes seen, to compare between implementations.
 */
async function checkApp(server, scenario) {
  const where = (step) => `${scenario} ${server.app}: ${step}`;
  const bare = server.app === 'bare';
  const shapes = [];

  if (scenario === 'S1') {
    const ids = new Set();
    for (let i = 0; i < 2; i++) {
      const response = await get(server.url, '/');
      checkBody(response, scenario, where('new visitor'));
      shapes.push(headerShape(response));
      if (bare) {
        check(setCookies(response).length === 0, where('bare app set a cookie'));
        continue;
      }
      const cookie = sessionCookie(response, where('new visitor'));
      ids.add(cookie.sid);
      const stored = await server.store('get', cookie.sid);
      check(stored && stored.cookie, where('new session was not saved to the store'));
      // Known id, unchanged, not rolling, no expiry: the cookie is not sent again.
      const again = await get(server.url, '/', cookie.header);
      checkBody(again, scenario, where('same visitor again'));
      check(setCookies(again).length === 0, where('cookie re-sent for an unchanged session'));
    }
    if (!bare) check(ids.size === 2, where('two new visitors got the same session id'));
    return { cookie: undefined, sid: undefined, shapes };
  }

  // S2-S4: the returning visitor's session, created by the app itself and signed with its key.
  let cookie;
  if (!bare) {
    const init = await get(server.url, '/__init');
    check(init.status === 200, where(`/__init status ${init.status}`));
    cookie = sessionCookie(init, where('/__init'));
    const stored = await server.store('get', cookie.sid);
    check(stored?.views === 1, where(`stored views ${stored?.views} after /__init, expected 1`));
  }
  const header = cookie?.header;

  for (let i = 0; i < 3; i++) {
    const before = Date.now();
    const response = await get(server.url, '/', header ?? undefined);
    shapes.push(headerShape(response));
    if (scenario === 'S3') checkBody(response, scenario, where('counter'), bare ? `views ${i + 1}` : `views ${i + 2}`);
    else checkBody(response, scenario, where('read'));
    if (bare) continue;
    if (scenario === 'S4') {
      const sent = sessionCookie(response, where('rolling response'));
      check(sent.value === cookie.value, where('rolling cookie changed its value'));
      const expires = expiresOf(sent.attributes);
      check(
        expires >= Math.floor(before / 1000) * 1000 + 59_000 && expires <= Date.now() + 61_000,
        where(`rolling cookie expires ${new Date(expires).toISOString()}, expected about 60 s from now`),
      );
    } else {
      check(setCookies(response).length === 0, where('Set-Cookie on a response that should not have one'));
    }
  }
  if (!bare) {
    const stored = await server.store('get', cookie.sid);
    const expected = scenario === 'S3' ? 4 : 1;
    check(stored?.views === expected, where(`stored views ${stored?.views}, expected ${expected}`));
    if (scenario === 'S4') {
      const expires = Date.parse(stored.cookie.expires);
      check(expires > Date.now() + 55_000, where('store was not touched by the rolling responses'));
    }
  }
  return { cookie: header, sid: cookie?.sid, shapes };
}

/**
 * Check all apps of a scenario. Returns per app `{ cookie, sid }` for the load; the bare app,
 * which has no session, sends a copy of express-session's cookie so every request is the same size.
 * Throws with a readable message on the first failed check.
 */
export async function checkScenario(scenario, servers) {
  const results = {};
  for (const server of servers) results[server.app] = await checkApp(server, scenario);
  const upstream = results['express-session'];
  // Ours, an earlier build of it and the floor must all answer as express-session does.
  for (const app of ['ours', 'baseline', 'floor']) {
    const other = results[app];
    if (!upstream || !other) continue;
    for (let i = 0; i < upstream.shapes.length; i++) {
      check(
        upstream.shapes[i] === other.shapes[i],
        `${scenario}: ${app} answers with different headers than express-session:\n  express-session ${upstream.shapes[i]}\n  ${app.padEnd(15)} ${other.shapes[i]}`,
      );
    }
  }
  if (results.bare && upstream) results.bare.cookie = upstream.cookie;
  return results;
}

/** What a server's store looks like before a load, for the check after it. */
export async function beforeLoad(server, scenario, session) {
  if (server.app === 'bare') return {};
  if (scenario === 'S1') {
    await server.store('clear');
    return {};
  }
  return { stored: await server.store('get', session.sid), start: Date.now() };
}

/**
 * After a timed load: no errors, no non-2xx, every body right (autocannon counts mismatches),
 * and the store shows the work was done.
 */
export async function afterLoad(server, scenario, session, before, result, connections) {
  const where = `${scenario} ${server.app} under load`;
  check(result.errors === 0 && result.timeouts === 0, `${where}: ${result.errors} errors, ${result.timeouts} timeouts`);
  check(result.non2xx === 0, `${where}: ${result.non2xx} non-2xx responses`);
  check(result.mismatches === 0, `${where}: ${result.mismatches} responses with the wrong body`);
  check(result['2xx'] > 0, `${where}: no responses`);
  if (server.app === 'bare') return;
  const ok = result['2xx'];
  if (scenario === 'S1') {
    // One stored session per answered visitor (plus those in flight when the load stopped).
    const length = await server.store('length');
    check(length >= ok && length <= ok + connections, `${where}: ${length} sessions stored for ${ok} new visitors`);
    await server.store('clear');
    return;
  }
  const stored = await server.store('get', session.sid);
  check(stored && stored.cookie, `${where}: the session is gone from the store`);
  if (scenario === 'S2' || scenario === 'S4') {
    check(stored.views === 1, `${where}: a read-only handler changed views to ${stored.views}`);
  }
  if (scenario === 'S3') {
    // Concurrent requests of one session may overwrite each other's increment (as in any
    // read-modify-write store), so the counter moves by at least one, at most one per request.
    const moved = stored.views - before.stored.views;
    check(moved >= 1 && moved <= ok + connections, `${where}: counter moved by ${moved} over ${ok} requests`);
  }
  if (scenario === 'S4') {
    const expires = Date.parse(stored.cookie.expires);
    check(expires >= before.start + 60_000, `${where}: the store's expiry was not rolled during the load`);
  }
}

export { CheckFailed };
