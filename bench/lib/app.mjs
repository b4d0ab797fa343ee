// The benchmark's Express apps, built one way for every script that serves them: bench/server.mjs
// (over HTTP), bench/instructions.mjs (under valgrind) and bench/layer.mjs (in process).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { floorSession } from './floor.mjs';
import { handlerFor, SCENARIOS } from './scenarios.mjs';

const require = createRequire(import.meta.url);

/** The session middleware factory of an app: upstream 1.19.0, the floor, or a build of ours. */
function sessionFactory(name) {
  if (name === 'express-session') return require('express-session-upstream');
  if (name === 'floor') return floorSession;
  // BENCH_OURS_ENTRY (--ours PATH) loads another build, to measure a prototype, or so that a long
  // run is not disturbed by rebuilding dist/.
  if (name === 'ours') return require(process.env.BENCH_OURS_ENTRY || fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
  // BENCH_BASELINE_ENTRY (--baseline PATH): an earlier build, loaded in the same rounds.
  if (name === 'baseline' && process.env.BENCH_BASELINE_ENTRY) return require(process.env.BENCH_BASELINE_ENTRY);
  return undefined;
}

/**
 * `{ app, store, expressVersion }`: app `name` (bare, floor, express-session, ours, baseline)
 * serving `scenario` under Express `expressMajor` (4 or 5), its MemoryStore (none for bare), and
 * the version of that Express. A session app also serves `/__init`, which creates the returning
 * visitor's session (views = 1) whose cookie the load then sends.
 */
export function buildApp(name, scenario, expressMajor = '4') {
  const major = String(expressMajor);
  if (major !== '4' && major !== '5') throw new Error(`unknown Express major ${major}`);
  // devDependencies: express is 4.x, express5 is npm:express@^5.
  const expressPackage = major === '5' ? 'express5' : 'express';
  const express = require(expressPackage);
  const definition = SCENARIOS[scenario];
  if (!definition) throw new Error(`unknown scenario ${scenario}`);
  const bare = name === 'bare';
  const session = sessionFactory(name);
  if (!bare && !session) throw new Error(`unknown app ${name}`);

  const app = express();
  let store;
  if (session) {
    store = new session.MemoryStore();
    app.use(session({ ...definition.options, store }));
    app.get('/__init', (req, res) => {
      req.session.views = 1;
      res.send('init');
    });
  }
  app.get('/', handlerFor(scenario, bare));
  return { app, store, expressVersion: require(`${expressPackage}/package.json`).version };
}
