import * as http from 'node:http';
import * as net from 'node:net';
import type { TestServer } from '../../support/http';

/** One response as it came off the wire. */
export interface WireResponse {
  status: number;
  /** Header lines in order, names lower-cased; repeated names stay repeated. */
  headers: Array<[string, string]>;
  body: string;
}

/** Everything a raw exchange produced. */
export interface WireExchange {
  /** Every HTTP response found in the bytes the server sent before closing. */
  responses: WireResponse[];
  /** The socket error, if the connection failed instead of closing cleanly (e.g. ECONNRESET). */
  socketError: string | undefined;
}

function portOf(server: TestServer): number {
  return Number(new URL(server.origin).port);
}

/**
 * Split a byte stream into HTTP/1.1 responses (Content-Length, chunked or close-delimited),
 * so a test can count them: a middleware that answered twice would show two.
 */
export function parseResponses(raw: Buffer): WireResponse[] {
  const responses: WireResponse[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd === -1) throw new Error(`truncated response head: ${JSON.stringify(raw.subarray(at).toString('latin1'))}`);
    const [statusLine, ...lines] = raw.subarray(at, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
    if (!match) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    });
    const header = (name: string) => headers.find(([n]) => n === name)?.[1];
    let cursor = headEnd + 4;
    let body: Buffer;
    const length = header('content-length');
    if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = raw.indexOf('\r\n', cursor, 'latin1');
        if (lineEnd === -1) throw new Error('truncated chunked body');
        const size = parseInt(raw.subarray(cursor, lineEnd).toString('latin1'), 16);
        cursor = lineEnd + 2;
        if (size === 0) {
          cursor = raw.indexOf('\r\n', cursor, 'latin1') + 2;
          break;
        }
        parts.push(raw.subarray(cursor, cursor + size));
        cursor += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (length !== undefined) {
      body = raw.subarray(cursor, cursor + Number(length));
      cursor += Number(length);
    } else {
      body = raw.subarray(cursor);
      cursor = raw.length;
    }
    responses.push({ status: Number(match[1]), headers, body: body.toString('utf8') });
    at = cursor;
  }
  return responses;
}

/**
 * Send `head` (the request line and headers, CRLF-separated, without the final blank line) on a
 * fresh connection with `Connection: close`, and collect every byte until the server closes.
 * Bytes Node's HTTP client would refuse to send (control characters, raw UTF-8) go out as is.
 */
export function rawExchange(server: TestServer, head: string | Buffer, timeoutMs = 5000): Promise<WireExchange> {
  const bytes = Buffer.concat([
    typeof head === 'string' ? Buffer.from(head, 'latin1') : head,
    Buffer.from('\r\nConnection: close\r\n\r\n', 'latin1'),
  ]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let socketError: string | undefined;
    const socket = net.connect(portOf(server), '127.0.0.1', () => socket.end(bytes));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      socketError = err.code ?? err.message;
    });
    socket.on('close', () => {
      try {
        resolve({ responses: parseResponses(Buffer.concat(chunks)), socketError });
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** `GET <path>` with one Cookie header line (or none), as raw bytes. */
export function rawGet(server: TestServer, path: string, cookie?: string | Buffer): Promise<WireExchange> {
  const parts: Buffer[] = [Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1`, 'latin1')];
  if (cookie !== undefined) {
    parts.push(Buffer.from('\r\nCookie: ', 'latin1'), typeof cookie === 'string' ? Buffer.from(cookie, 'latin1') : cookie);
  }
  return rawExchange(server, Buffer.concat(parts));
}

export interface QuickResponse {
  status: number;
  body: string;
  setCookies: string[];
}

/**
 * A keep-alive client for running thousands of generated requests against one server quickly.
 * `close()` drops its sockets so the server can shut down.
 */
export function keepAliveClient(server: TestServer): {
  get(path: string, headers?: http.OutgoingHttpHeaders): Promise<QuickResponse>;
  close(): void;
} {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  return {
    get(path, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = http.request(new URL(path, server.origin), { agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookies: res.headers['set-cookie'] ?? [],
          }));
        });
        req.on('error', reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** The `name=value` pair of the first Set-Cookie line for `name`. */
export function pairFrom(setCookies: readonly string[], name = 'connect.sid'): string | undefined {
  return setCookies.find((line) => line.startsWith(name + '='))?.split(';')[0];
}

/** The decoded value of a `name=value` pair (what cookie.parse would give). */
export function valueOf(pair: string): string {
  return decodeURIComponent(pair.slice(pair.indexOf('=') + 1));
}
