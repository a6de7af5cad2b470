declare module "ioport/irqcapture" {
  /** GPIO edges captured in the ISR (drivers/moddable/irqcapture): one call per batch of edges. */
  export class IrqCapture {
    constructor(pin: number, edges: number, pull: number, onEdges: (count: number, firstUs: number, lastUs: number, level: number) => void);
    close(): void;
    /** The native fast lane (irqcapture.js). */
    grant(memory: ArrayBuffer, out: number, ev: number, udLo: number, udHi: number, opcode: number, flags: number, kind: number, cb: (n: number) => void, exit: (threw: boolean, err: unknown) => void, state: ArrayBuffer): void;
    revoke(into: ArrayBuffer): void;
  }
  /** A timer line on a hardware alarm (drivers/moddable/alarms.ts): one call per batch of due times passed. */
  export class IrqAlarm {
    constructor(firstDueUs: number, periodUs: number, oneshot: number, onFire: (count: number, firstUs: number, lastUs: number, level: number) => void);
    close(): void;
    grant(memory: ArrayBuffer, out: number, ev: number, udLo: number, udHi: number, opcode: number, flags: number, kind: number, cb: (n: number) => void, exit: (threw: boolean, err: unknown) => void, state: ArrayBuffer): void;
    revoke(into: ArrayBuffer): void;
  }
  export default IrqCapture;
}
