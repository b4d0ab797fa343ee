// A middleware package's types file as many are written against @types/express-session: it never
// imports express-session, it only augments SessionData and reads req.session. TypeScript loads
// the types a package bundles only when something imports the package (an augmentation alone
// does not). Without the README's one line this fails: TS2664 and TS2339.
import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string | null;
  }
}

export function storedToken(req: Request): string | null | undefined {
  return req.session.csrfToken;
}

export function forget(req: Request): void {
  req.session.csrfToken = null;
  // @ts-expect-error the augmentation's type holds
  req.session.csrfToken = 42;
}
