// One benchmark app in its own process: `node bench/server.mjs <app> <scenario> [4|5]`, started
// by bench/run.mjs (and bench/profile.mjs) with an IPC channel, under Express 4 (default) or 5.
// It listens on a free loopback port, reports it, answers store inspections for the correctness
// checks and the size of its young generation, and exits as soon as the parent goes away, so no
// server outlives the benchmark.
import { getHeapSpaceStatistics } from 'node:v8';
import { buildApp } from './lib/app.mjs';

const [app, scenario, expressMajor = '4'] = process.argv.slice(2);

if (!process.send) {
  console.error('bench/server.mjs is started by bench/run.mjs (it needs an IPC channel)');
  process.exit(2);
}
// The parent died or let go of us: stop at once, whatever is in flight.
process.on('disconnect', () => process.exit(0));

const { app: expressApp, store, expressVersion } = buildApp(app, scenario, expressMajor);

/** Store operations the runner asks for over IPC: read what the store really holds. */
function storeCall(op, sid) {
  return new Promise((resolve, reject) => {
    if (!store) return resolve(null);
    const done = (err, value) => (err ? reject(err) : resolve(value ?? null));
    if (op === 'get') store.get(sid, done);
    else if (op === 'length') store.length(done);
    else if (op === 'clear') store.clear((err) => done(err, true));
    else reject(new Error(`unknown store op ${op}`));
  });
}

process.on('message', async (message) => {
  if (message?.type === 'exit') {
    // A normal exit, so `--cpu-prof` writes its profile.
    server.close();
    process.exit(0);
  }
  if (message?.type === 'mark') {
    // The profiler's clock: bench/profile.mjs keeps only the samples between two marks.
    process.send({ type: 'mark', id: message.id, micros: Number(process.hrtime.bigint() / 1000n) });
    return;
  }
  if (message?.type === 'heap') {
    // The young generation as it is now (both semi-spaces), to report the GC regime.
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.send({ type: 'heap', newSpaceBytes: space?.space_size });
    return;
  }
  if (message?.type !== 'store') return;
  try {
    const result = await storeCall(message.op, message.sid);
    process.send({ type: 'store-result', id: message.id, result: JSON.parse(JSON.stringify(result)) });
  } catch (err) {
    process.send({ type: 'store-result', id: message.id, error: String(err?.stack ?? err) });
  }
});

const server = expressApp.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, pid: process.pid, node: process.version, express: expressVersion });
});
