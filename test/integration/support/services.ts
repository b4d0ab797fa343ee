import { connect } from 'node:net';

/** The servers the integration tests talk to, with the URL `.ci/run` uses for each. */
const known = {
  REDIS_URL: { example: 'redis://127.0.0.1:6379', defaultPort: 6379 },
  DATABASE_URL: { example: 'postgres://postgres@127.0.0.1:5432/test', defaultPort: 5432 },
} as const;

export type ServiceVariable = keyof typeof known;

/** A server the tests need, as configured (or not) by an environment variable. */
export interface Service {
  readonly variable: ServiceVariable;
  /** The URL from the environment; undefined when the variable is unset or empty. */
  readonly url: string | undefined;
  /**
   * For `describe(name, { skip })`: `false` when the variable is set, otherwise the one line
   * node:test prints instead of running the suite.
   */
  readonly skip: string | false;
  /**
   * Resolve once something accepts a connection at `url`; otherwise throw an error that says
   * which variable points where and what to do. Call it from `before()`, so a configured but
   * dead server fails every test of the suite instead of skipping them.
   */
  assertReachable(timeoutMs?: number): Promise<void>;
}

/**
 * The rule for tests that need a real server: unset variable, skip with one clear line (a
 * laptop without Redis or PostgreSQL); set variable, the server must answer or the tests fail
 * (CI, where a silently skipped integration suite would look green).
 */
export function service(variable: ServiceVariable, what: string, env: NodeJS.ProcessEnv = process.env): Service {
  const url = env[variable] || undefined;
  const { example, defaultPort } = known[variable];
  return {
    variable,
    url,
    skip: url === undefined ? `skipped: set ${variable}=${example} to run ${what} (see README)` : false,
    async assertReachable(timeoutMs = 3000) {
      if (url === undefined) throw new Error(`${variable} is not set: ${what} cannot run`);
      let host: string;
      let port: number;
      try {
        const parsed = new URL(url);
        host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
        port = parsed.port ? Number(parsed.port) : defaultPort;
      } catch {
        throw new Error(`${variable}=${url} is not a URL (expected something like ${example})`);
      }
      try {
        await tcpProbe(host, port, timeoutMs);
      } catch (err) {
        throw new Error(
          `${variable} is set to ${url}, but nothing answers at ${host}:${port} (${(err as Error).message}). ` +
          `Start the server (.ci/services.sh does) or unset ${variable} to skip ${what}.`,
        );
      }
    },
  };
}

/** Open and close one TCP connection; reject on refusal or after `timeoutMs`. */
function tcpProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** Names that cannot collide between test files running in parallel, nor between runs. */
export function uniqueName(file: string): string {
  return `${file.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
}
