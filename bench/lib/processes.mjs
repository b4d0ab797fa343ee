// Child processes of the benchmark: each app (or store) in its own Node process, optionally
// pinned to one CPU. Every child is killed when this process exits, however it exits: children
// also watch their IPC channel and stop when it closes (see bench/server.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const children = new Set();
/** The Node every child runs under: this one, unless bench/run.mjs --node chose another. */
let nodeBinary = process.execPath;

/** Run every child started from now on under `binary` (see bench/lib/node-binary.mjs). */
export function useNodeBinary(binary) {
  nodeBinary = binary;
}

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** The CPUs this process may run on, from `taskset -pc` (or all of them if it cannot tell). */
function allowedCpus() {
  try {
    const out = execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const list = out.split(':').pop().trim();
    const cpus = [];
    for (const part of list.split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
    }
    return cpus;
  } catch {
    return undefined;
  }
}

/**
 * Decide the pinning: servers on one CPU, this process (the load generator) on another.
 * Returns `{ serverCpu, loaderCpu, note }`; the CPUs are undefined when pinning is not possible,
 * and `note` says why, for the report.
 */
export function planPinning() {
  const cpus = allowedCpus();
  if (cpus === undefined) {
    return { note: 'taskset not available: processes are not pinned (ratios are noisier)' };
  }
  if (cpus.length < 2) {
    return { note: `only CPU ${cpus.join(',')} available: processes are not pinned (load generator shares the servers' CPU)` };
  }
  const [serverCpu, loaderCpu] = cpus;
  try {
    // -a: every thread of this process, not just the main one (libuv and V8 threads too).
    execFileSync('taskset', ['-a', '-p', '-c', String(loaderCpu), String(process.pid)], { stdio: 'ignore' });
  } catch (err) {
    return { note: `taskset could not pin the load generator (${err.message.split('\n')[0]}): processes are not pinned` };
  }
  return {
    serverCpu,
    loaderCpu,
    note: `servers pinned to CPU ${serverCpu}, load generator to CPU ${loaderCpu} (taskset; CPUs ${cpus.join(',')} available)`,
  };
}

/**
 * Start `node [nodeArgs] <script> [args]` with an IPC channel, under `taskset -c cpu` when a CPU
 * is given (taskset execs node, so every thread node starts inherits the pinning).
 */
export function startNode(script, args, { cpu, nodeArgs = [], stdout = 'inherit' } = {}) {
  const scriptPath = script instanceof URL ? fileURLToPath(script) : script;
  const command = cpu === undefined ? nodeBinary : 'taskset';
  const commandArgs = [...(cpu === undefined ? [] : ['-c', String(cpu), nodeBinary]), ...nodeArgs, scriptPath, ...args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', stdout, 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Wait for the first IPC message of `type` from `child`, failing if it exits or takes too long. */
export function nextMessage(child, type, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${signal ?? code}) before sending "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`child ${child.pid} sent no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Stop a child: ask it to exit (so a CPU profile gets written), then kill it if it lingers. */
export async function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send({ type: 'exit' });
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * A benchmark app in its own process under Express `express` (4 or 5):
 * `{ app, scenario, express, port, url, child, store(op, sid), newSpaceBytes(), stop() }`.
 */
export async function startServer(app, scenario, { cpu, nodeArgs, express = 4 } = {}) {
  const child = startNode(new URL('../server.mjs', import.meta.url), [app, scenario, String(express)], { cpu, nodeArgs });
  const ready = await nextMessage(child, 'ready');
  let nextId = 0;
  return {
    app,
    scenario,
    express,
    port: ready.port,
    url: `http://127.0.0.1:${ready.port}`,
    node: ready.node,
    expressVersion: ready.express,
    child,
    async newSpaceBytes() {
      const reply = nextMessage(child, 'heap');
      child.send({ type: 'heap' });
      return (await reply).newSpaceBytes;
    },
    async store(op, sid) {
      const id = ++nextId;
      const reply = nextMessage(child, 'store-result', 60_000);
      child.send({ type: 'store', op, sid, id });
      const message = await reply;
      if (message.id !== id) throw new Error('store replies out of order');
      if (message.error) throw new Error(message.error);
      return message.result;
    },
    stop: () => stopChild(child),
  };
}

/**
 * CPU time (user + system, all threads) a process has used so far, in µs; undefined where there
 * is no /proc. From each thread's /proc/<pid>/task/<tid>/schedstat (nanoseconds on the CPU),
 * else from /proc/<pid>/stat (clock ticks of 10 ms, too coarse for a difference of a few µs
 * per request over a short load). Unlike req/s it barely moves when a neighbour takes the CPU.
 */
export function cpuMicros(pid) {
  try {
    let nanos = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read. V8's and libuv's threads live as long
        // as the process, so this does not happen during a load.
      }
    }
    if (nanos > 0) return nanos / 1000;
  } catch {
    // No schedstat: the coarser counter below.
  }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}
