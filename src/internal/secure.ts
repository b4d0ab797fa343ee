import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The parts of a request the secure-connection test reads (Express adds `secure`). */
export interface SecureCheckRequest {
  socket?: IncomingMessage['socket'] | null;
  connection?: IncomingMessage['socket'] | null;
  headers: IncomingMessage['headers'];
  secure?: boolean;
}

/**
 * Whether the request arrived over TLS, as express-session decides it.
 *
 * `trustProxy` true reads the first X-Forwarded-Proto value; false trusts only the socket;
 * undefined defers to Express's `req.secure`, which honours the app's `trust proxy` setting.
 */
export function isSecureRequest(req: SecureCheckRequest, trustProxy: boolean | undefined): boolean {
  const socket = req.socket ?? req.connection;
  if (socket && (socket as TLSSocket).encrypted) return true;
  if (trustProxy === false) return false;
  if (trustProxy !== true) return req.secure === true;

  const header = req.headers['x-forwarded-proto'];
  const value = Array.isArray(header) ? header[0] ?? '' : header ?? '';
  const comma = value.indexOf(',');
  const first = comma === -1 ? value : value.slice(0, comma);
  return first.trim().toLowerCase() === 'https';
}
