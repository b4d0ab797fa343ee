// Command-line options of the standalone bench scripts: `--name value` pairs.
import { resolve } from 'node:path';

/** `--name value` from the command line, or `fallback`. */
export function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

/** A path option, resolved from where the user typed it: the scripts' children run elsewhere. */
export function pathOption(name) {
  const value = option(name, undefined);
  return value === undefined ? undefined : resolve(value);
}
