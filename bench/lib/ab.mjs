// The harness of the small same-process A/B benches beside the code (bench/*.bench.mjs): two
// variants of one operation timed in alternating rounds, so that machine noise hits both, and
// reported as the per-round ratio's median and spread: a difference inside the spread is noise.
import { option } from './cli.mjs';
import { median } from './stats.mjs';

const cpuNow = process.threadCpuUsage ?? process.cpuUsage;

/** `--name value` from the command line as a number, or `fallback`. */
export function numberArg(name, fallback) {
  const value = option(name, undefined);
  return value === undefined ? fallback : Number(value);
}

let sink;
/** CPU ns per call of `operation(i)` over `ops` calls. */
function round(operation, ops) {
  const start = cpuNow();
  for (let i = 0; i < ops; i++) sink = operation(i);
  const used = cpuNow(start);
  return ((used.user + used.system) * 1000) / ops;
}

/**
 * Time `variants` ({ name: operation }, exactly two: the reference first) after three warm-up
 * rounds each, and print one line: `label  a N ns  b M ns  b/a median (min-max)`.
 */
export function compare(label, variants, { rounds = 12, ops = 200_000 } = {}) {
  const [a, b] = Object.keys(variants);
  for (const name of [a, b]) for (let i = 0; i < 3; i++) round(variants[name], ops);
  const ns = { [a]: [], [b]: [] };
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const got = {};
    for (const name of r % 2 ? [b, a] : [a, b]) got[name] = round(variants[name], ops);
    ns[a].push(got[a]);
    ns[b].push(got[b]);
    ratios.push(got[b] / got[a]);
  }
  const spread = `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
  console.log(
    `  ${label.padEnd(22)} ${a} ${median(ns[a]).toFixed(0).padStart(6)} ns   ${b} ${median(ns[b]).toFixed(0).padStart(6)} ns   ` +
      `${b}/${a} ${median(ratios).toFixed(2)} (${spread})`,
  );
  return sink;
}
