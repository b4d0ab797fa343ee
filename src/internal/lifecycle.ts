/**
 * Where the opt-in lifecycle options (`absoluteTimeout`, `renewalTimeout`) keep their
 * timestamps: one key in the session's own data, because the data is the only thing every store
 * persists and hands back (a field of the cookie would be lost by stores that rebuild it). The key
 * is only ever written when one of those options is set, so by default the stored JSON is
 * exactly express-session's.
 */
export const LIFECYCLE_KEY = '__lifecycle';

/** The value under {@link LIFECYCLE_KEY}, times in ms since the epoch. */
export interface LifecycleStamp {
  /** When the session was first created; survives renewal and `regenerate({ keepData: true })`. */
  created: number;
  /** When the session got its current id; reset whenever the id changes. */
  idIssued: number;
}
