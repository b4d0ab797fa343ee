import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Milliseconds before giving up; the default suits anything a request or a timer does here. */
  timeout?: number;
  /** Milliseconds between checks. */
  interval?: number;
  /** What was awaited, for the failure message. */
  message?: string;
}

/**
 * Resolve as soon as `condition` holds; reject once `timeout` ms have passed without it. Tests
 * wait for what they are about to assert instead of sleeping a fixed time, so a slow, shared
 * machine cannot turn them red and a fast one does not wait for nothing.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeout = 2000, interval = 5, message = 'condition' }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`waitFor: ${message} did not hold within ${timeout} ms`);
    await sleep(interval);
  }
}
