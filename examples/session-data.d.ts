// What the example app keeps in its sessions, declared the way apps do it.
import 'express-session';

declare module 'express-session' {
  interface SessionData {
    views: number;
    user: string | null;
  }
}
