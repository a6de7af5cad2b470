/**
 * The environment firmware/ and drivers/moddable/ compile against on a
 * board: Moddable's globals (trace), the ECMA-419 IO modules and `timer`
 * from @moddable/typings, our native clock module, and "ioport:board" — the
 * board description `ioport firmware` inlines (a virtual module of the
 * rollup build, tools/firmware-build.ts). Referenced from main.ts so every
 * tool that compiles it (tsc, the rollup build) sees the same declarations.
 */
/// <reference types="@moddable/typings/xs.d.ts" />
/// <reference types="@moddable/typings/embedded_io/_common.d.ts" />
/// <reference types="@moddable/typings/embedded_io/digital.d.ts" />
/// <reference types="@moddable/typings/embedded_io/serial.d.ts" />
/// <reference types="@moddable/typings/embedded_io/spi.d.ts" />
/// <reference types="@moddable/typings/timer.d.ts" />
/// <reference types="@moddable/typings/time.d.ts" />
/// <reference path="../drivers/moddable/clock/clock.d.ts" />
/// <reference path="../drivers/moddable/irqcapture/irqcapture.d.ts" />

declare module "ioport:board" {
  import type { BoardSpec } from "../core/board.js";
  const board: BoardSpec;
  export default board;
}

declare module "ioport:build" {
  /** What `ioport firmware` was asked for beyond the board (tools/firmware-build.ts). */
  const build: { probeModes: readonly ("a" | "b" | "c" | "d")[] };
  export default build;
}
