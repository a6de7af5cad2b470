/**
 * settle(): resolves after every promise continuation that is runnable now
 * has run. Where the host has setImmediate (Node, xsnap), one macrotask turn
 * drains the whole microtask queue; elsewhere a bounded microtask loop is the
 * best a portable engine offers.
 */
type Immediate = (cb: () => void) => unknown;

export function settle(): Promise<void> {
  const si = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof si === "function") {
    return new Promise<void>((resolve) => {
      si(resolve);
    });
  }
  return microtaskTurns(64);
}

async function microtaskTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}
