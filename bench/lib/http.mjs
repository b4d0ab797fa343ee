// A plain HTTP GET for the correctness pass: one request at a time, a fresh connection each,
// every response header kept.
import { request } from 'node:http';

/** GET `url + path`, optionally with a Cookie header: `{ status, headers, body }`. */
export function get(url, path, cookie) {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { agent: false, headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
