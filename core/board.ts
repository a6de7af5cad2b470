/**
 * Board description types: the shape of a `boards/*.json` file, checked by
 * `boards/board.schema.json`. Types only, so both composition roots can use
 * them — the simulator (host-sim/boards.ts) and the Moddable firmware
 * (firmware/main, which gets its board inlined by the build).
 */

export interface BoardUart {
  /** Device path, e.g. "/dev/uart0". */
  path: string;
  baud: number;
  /** Receive buffer of the kernel's UART object, bytes. */
  rxBuffer: number;
  /** ECMA-419 `port` of the hardware UART (absent: the simulator only). */
  port?: number;
  /** Transmit and receive pins (absent: the simulator only). */
  tx?: number;
  rx?: number;
}

export interface BoardSpi {
  /** Device path, e.g. "/dev/spi0". */
  path: string;
  /** Bus clock, Hz. */
  hz: number;
  port?: number;
  /** SCK, MOSI, MISO and chip-select pins (absent: the simulator only). */
  clock?: number;
  out?: number;
  in?: number;
  select?: number;
  /** SPI mode 0-3 (default 0). */
  mode?: number;
}

/** How a button is wired. */
export interface BoardButtonWiring {
  /** Level the pin reads while the button is pressed. */
  active: 0 | 1;
  /** Pull resistor to enable on the input. */
  pull: "up" | "down" | "none";
}

export interface BoardModdable {
  /** The `mcconfig -p` platform: "pico", "esp32", "esp32/esp32s3", "lin". */
  platform: string;
  /** False when the platform lacks ECMA-419 IO (the desktop simulator: a compile check only). */
  io: boolean;
  /** GPIO interrupts: "native" (the ISR capture, drivers/moddable/irqcapture; default) or "digital" (ECMA-419 Digital, which merges edges). */
  irq?: "native" | "digital";
}

export interface BoardSpec {
  name: string;
  description: string;
  moddable: BoardModdable;
  gpio: { pins: number };
  uart: BoardUart[];
  spi: BoardSpi[];
  timers: number;
  led?: number;
  button?: number;
  /** How the button is wired (default: active high, no pull). */
  buttonWiring?: BoardButtonWiring;
  /** A jumper from `out` to `in`, for loopback tests. */
  loopback?: { out: number; in: number };
  /**
   * Modelled interrupt latency (simulator): each edge is delivered a uniform
   * sample in [min, max] ns late (seeded PRNG); absent or 0: none.
   */
  irqLatencyNs?: { min: number; max: number };
  /**
   * Modelled software costs on the interrupt path, ns (used by `ioport hil --sim`):
   * `dispatch` from the backend's callback through the kernel to an io_wait_cb
   * callback, `promiseHop` the extra promise job of the io_wait/await form,
   * `dispatchMultishot` the dispatch from a multishot OP_IRQ_WAIT arm to an
   * io_watch callback (absent: `dispatch`).
   */
  irqCostNs?: { dispatch: number; promiseHop: number; dispatchMultishot?: number; source: string };
  /** Which UART the demo firmware's shell uses (default /dev/uart0). */
  console?: string;
}
