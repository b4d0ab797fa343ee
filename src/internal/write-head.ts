import type { IncomingMessage, ServerResponse } from 'node:http';
import onHeaders from 'on-headers';

/**
 * Call `listener.onHeaders()` once, just before the response's headers are fixed, whichever way
 * that happens (`res.writeHead`, the first `res.write`, `res.end`), through on-headers as
 * express-session does.
 *
 * One difference, on purpose: on-headers applies `res.writeHead(status, [[name, value], ...])`
 * with `setHeader`, so a name given twice (two Set-Cookie lines, say) kept only its last line.
 * It appends the flat form `[name, value, name, value]` line by line, so an outer wrapper hands
 * it that.
 */
export function hookWriteHead(res: ServerResponse, listener: { onHeaders(): void }): void {
  onHeaders(res as IncomingMessage & ServerResponse, () => listener.onHeaders());
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
