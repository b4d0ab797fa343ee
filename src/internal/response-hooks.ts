import type { IncomingMessage, ServerResponse } from 'node:http';
import onHeaders from 'on-headers';
import { log } from './debug';

/** The store work to finish before the response may: it calls `done` once, with its error if any. */
export type Commit = (done: (err?: unknown) => void) => void;

type EndArgs = Parameters<ServerResponse['end']>;

/**
 * Where one response is on its way out:
 *
 *   open ──end()──▶ committing ──store answered──▶ ended   (end's arguments held meanwhile)
 *   open ──end(), nothing to commit──────────────▶ ended
 *   open ──end(), session cannot be stored──▶ refused ──end() of the error handler──▶ ended
 *
 *   ended ──Node's end threw (res.end(5))──▶ failed ──end() of the error handler──▶ ended
 *
 * An end() in committing or ended is ignored, as in express-session.
 * The headers are a separate, once-only event (through on-headers): they go out before end() in
 * a streamed response, or as end() starts committing; in `refused` they are the error
 * response's and carry no session cookie.
 */
type Phase = 'open' | 'committing' | 'refused' | 'failed' | 'ended';

/** Node's own response internals, used the way `res.end` itself uses them. */
type ResponseInternals = ServerResponse & { _implicitHeader(): void; _contentLength?: number | null };

/**
 * Fix the status line and headers now, as `res.end(args)` would, without writing anything: the
 * app sees `headersSent` and the Set-Cookie decision is made when express-session made it, while
 * the header block still leaves in the same socket write as the body.
 */
function writeHeadersNow(res: ServerResponse, args: EndArgs): void {
  const internals = res as ResponseInternals;
  if (res.headersSent || typeof internals._implicitHeader !== 'function') return;
  const [chunk, encoding] = args as unknown[];
  // Node's end() sizes the body before writing implicit headers, so a plain res.end(body) gets
  // Content-Length rather than chunked encoding; do the same.
  if (chunk === undefined || chunk === null || typeof chunk === 'function' || chunk === '') {
    internals._contentLength = 0;
  } else if (typeof chunk === 'string') {
    internals._contentLength = Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  } else if (ArrayBuffer.isView(chunk)) {
    internals._contentLength = chunk.byteLength;
  }
  internals._implicitHeader();
}

/**
 * on-headers applies `res.writeHead(status, [[name, value], ...])` with `setHeader`, so a name
 * given twice (two Set-Cookie lines, say) kept only its last line; it appends the flat form
 * `[name, value, name, value]` line by line, so hand it that (a deliberate difference).
 */
function flattenHeaderPairs(res: ServerResponse): void {
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  res.writeHead = function writeHeadWithPairs(this: ServerResponse, ...args: unknown[]): ServerResponse {
    const index = typeof args[1] === 'string' ? 2 : 1;
    const headers = args[index];
    if (Array.isArray(headers) && headers.length > 0 && Array.isArray(headers[0])) {
      const flat: unknown[] = [];
      for (const pair of headers as unknown[][]) {
        if (pair[0]) flat.push(pair[0], pair[1]);
      }
      args[index] = flat;
    }
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Hook `res` so the session is committed before the response finishes.
 *
 * express-session wrote all but the last byte, waited for the store, then wrote the last byte:
 * two socket writes per response, and a browser could follow a redirect before the session was
 * saved. We fix the headers at once (so `headersSent` behaves as in plain Node), hold the body
 * until the store has answered, then pass the `end` call through unchanged (chunk, encoding,
 * callback): the response goes out in one write, and the next request sees the saved session.
 * Three callbacks rather than one object literal, for the reason given at `RequestRecord`.
 */
export function hookResponse(
  res: ServerResponse,
  /** The headers are about to go out: add the Set-Cookie header if one is due. */
  beforeHeaders: () => void,
  /** `res.end` was called: the commit to run first, if any. Throws when the session cannot be stored. */
  atEnd: () => Commit | undefined,
  /** An error of this request: true when it went to the app's error handler, false when one already had. */
  fail: (err: unknown) => boolean,
): void {
  const originalEnd = res.end as (...args: unknown[]) => unknown;
  let phase: Phase = 'open';

  // Node's own end() can throw (a number as the body, say). Without the session the route's
  // error would reach the error handler, whose end() must then not be ignored as a second one:
  // express-session left such a response hanging, or crashed the process when it came after a save.
  const endNow = (args: EndArgs): void => {
    phase = 'ended';
    try {
      originalEnd.apply(res, args);
    } catch (err) {
      phase = 'failed';
      throw err;
    }
  };

  onHeaders(res as IncomingMessage & ServerResponse, () => {
    if (phase === 'refused') return;
    try {
      beforeHeaders();
    } catch (err) {
      fail(err);
    }
  });
  flattenHeaderPairs(res);

  res.end = function end(this: ServerResponse, ...args: EndArgs): ServerResponse {
    if (phase === 'committing' || phase === 'ended') {
      // express-session ignored every end() after the first (its callback included) and returned
      // false. Passed to Node after the first, one with data would make it emit
      // ERR_STREAM_WRITE_AFTER_END, an uncaught error that kills the process.
      log('res.end called again; ignored');
      return false as unknown as ServerResponse;
    }
    if (phase === 'refused' || phase === 'failed') {
      // The error handler's response. After `refused` its headers carry no cookie for the session
      // that could not be stored (the phase holds while they go out).
      originalEnd.apply(res, args);
      phase = 'ended';
      return res;
    }

    let commit: Commit | undefined;
    try {
      commit = atEnd();
    } catch (err) {
      // The session cannot be stored (data JSON cannot hold, a throwing getter): while the status
      // line is still ours to choose, the app's error handler answers instead of a success for a
      // session that was never saved. Its own end() is the one that goes out.
      if (fail(err) && !res.headersSent) {
        phase = 'refused';
        return res;
      }
    }
    if (commit === undefined) {
      endNow(args);
      return res;
    }

    phase = 'committing';
    writeHeadersNow(res, args);
    const committed = (err?: unknown): void => {
      if (phase !== 'committing') return;
      if (err) fail(err);
      try {
        endNow(args);
      } catch (endErr) {
        // Thrown inside the store's callback, it would be an uncaught exception.
        if (!fail(endErr)) res.destroy();
      }
    };
    try {
      commit(committed);
    } catch (err) {
      committed(err);
    }
    return res;
  } as ServerResponse['end'];
}
