declare module "ioport/irqcapture" {
  /** GPIO edges captured in the ISR (drivers/moddable/irqcapture): one call per batch of edges. */
  export class IrqCapture {
    constructor(pin: number, edges: number, pull: number, onEdges: (count: number, firstUs: number, lastUs: number, level: number) => void);
    close(): void;
  }
  export default IrqCapture;
}
