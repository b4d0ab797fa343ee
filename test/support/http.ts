import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';

/** A real server on a free loopback port. */
export interface TestServer {
  readonly origin: string;
  readonly secure: boolean;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Every Set-Cookie line. */
  setCookies: string[];
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
}

let certificate: { key: string; cert: string } | undefined;

/** A self-signed certificate for localhost, made once per test process with openssl. */
export function testCertificate(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'session-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    certificate = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return certificate;
}

/** Listen on 127.0.0.1 with a free port; over TLS when `secure`. */
export async function serve(app: RequestListener, options: { secure?: boolean } = {}): Promise<TestServer> {
  const server = options.secure ? https.createServer(testCertificate(), app) : http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    secure: Boolean(options.secure),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

/** One HTTP(S) request without keep-alive; resolves with the whole response. */
export function request(server: TestServer, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const url = new URL(path, server.origin);
  const client = server.secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      rejectUnauthorized: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: setCookie ?? [],
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `name=value` pair of the Set-Cookie line for `name`, ready for a Cookie header. */
export function cookiePair(res: TestResponse, name = 'connect.sid'): string | undefined {
  const line = res.setCookies.find((l) => l.startsWith(name + '='));
  return line?.split(';')[0];
}

/** The Set-Cookie line for `name`. */
export function setCookieLine(res: TestResponse, name = 'connect.sid'): string | undefined {
  return res.setCookies.find((l) => l.startsWith(name + '='));
}

/** A Set-Cookie line's attributes, names lower-cased (`expires`, `httponly`, ...). */
export function cookieAttributes(line: string): Record<string, string | true> {
  const [, ...parts] = line.split(';');
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    attributes[key] = eq === -1 ? true : part.slice(eq + 1).trim();
  }
  return attributes;
}

/**
 * A browser in miniature: remembers the session cookie it was given and sends it back.
 */
export class Browser {
  cookie: string | undefined;
  constructor(readonly server: TestServer, readonly name = 'connect.sid') {}

  async get(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers = { ...options.headers };
    if (this.cookie && headers.cookie === undefined) headers.cookie = this.cookie;
    const res = await request(this.server, path, { ...options, headers });
    const pair = cookiePair(res, this.name);
    if (pair) this.cookie = pair;
    return res;
  }
}
