// Must NOT compile: assigning a string to a field declared as number.
import type { Request } from 'express';
import 'express-session';

declare module 'express-session' {
  interface SessionData {
    counter: number;
  }
}

export function handler(req: Request): void {
  req.session.counter = 'not a number';
}
