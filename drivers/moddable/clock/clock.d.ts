/** Types of the `ioport/clock` native module (clock.js + the platform's .c). */
declare module "ioport/clock" {
  /** Microseconds since boot from the board's monotonic timer. */
  export function microseconds(): number;
}
