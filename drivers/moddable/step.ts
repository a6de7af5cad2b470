/**
 * A deferred step: runs one persistent function on a later pass of
 * Moddable's main loop (a 0 ms timer), never inside the call that asked for
 * it. Used where the kernel must not be called back synchronously from
 * inside its own call into a backend (SPI transfers, which are synchronous
 * in Moddable; a UART write that fits the transmit FIFO at once).
 *
 * One host timer per step, made once and rescheduled (`Timer.schedule`), so
 * requesting a step allocates nothing. Requests before the step runs merge.
 */
import type { TimerApi } from "./io-types.js";

/** Repeat interval that keeps a host timer alive between uses (ms; about 12 days). */
export const KEEP_ALIVE_MS = 0x3fffffff;

/**
 * Makes Moddable's main loop look at its timers again now (see `wake` in
 * ModdablePlatformOptions): Moddable's loop computes how long it may sleep
 * (until its next timer) *before* it delivers the messages of a pass (pin,
 * UART callbacks), so a timer a message callback schedules earlier than that
 * — a 0 ms step — waits until the old deadline or the next message: up to
 * the 1 s heartbeat in the demo. A resolved promise's job is a message
 * (Moddable posts one to run promise jobs), which ends the sleep at once.
 * Costs one small promise per call.
 */
export function promiseWake(): () => void {
  const resolved = Promise.resolve();
  const noop = (): void => {};
  return () => {
    void resolved.then(noop);
  };
}

function noWake(): void {}

export class Step<T> {
  private readonly timerApi: TimerApi<T>;
  private readonly timer: T;
  private pending = false;
  private readonly wake: () => void;

  constructor(timerApi: TimerApi<T>, run: () => void, wake: () => void = noWake) {
    this.timerApi = timerApi;
    this.wake = wake;
    // A repeating timer is never cleared by the host when its callback
    // returns, so it can be re-armed with Timer.schedule for ever.
    this.timer = timerApi.repeat(() => {
      if (!this.pending) return;
      this.pending = false;
      timerApi.schedule(this.timer);
      run();
    }, KEEP_ALIVE_MS);
    timerApi.schedule(this.timer);
  }

  /** Runs the step on a later pass of the main loop (once, however often asked). */
  request(): void {
    if (this.pending) return;
    this.pending = true;
    this.timerApi.schedule(this.timer, 0, KEEP_ALIVE_MS);
    this.wake();
  }

  /** Withdraws a request that has not run yet. */
  cancel(): void {
    if (!this.pending) return;
    this.pending = false;
    this.timerApi.schedule(this.timer);
  }

  get requested(): boolean {
    return this.pending;
  }
}
