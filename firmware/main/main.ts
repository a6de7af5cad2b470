/**
 * Moddable entry of the demo firmware: the composition root on a board.
 * Builds the Moddable Platform from drivers/moddable with the real ECMA-419
 * classes, `Timer` and our native clock, makes the Kernel and starts the
 * app. The board is the one `ioport firmware --board <name>` inlined as the
 * virtual module "ioport:board".
 *
 * Everything is made inside the default export, which Moddable calls at
 * start-up: nothing mutable at module top level (Moddable freezes it).
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient module declarations (embedded:io/*, timer, ioport/clock, ioport:board) have no import form
/// <reference path="../moddable-env.d.ts" />
import Digital from "embedded:io/digital";
import Serial from "embedded:io/serial";
import SPI from "embedded:io/spi";
import Timer from "timer";
import { microseconds } from "ioport/clock";
import IrqCapture, { IrqAlarm } from "ioport/irqcapture";
import board from "ioport:board";
import { Kernel } from "../../core/kernel.js";
import { ModdablePlatform } from "../../drivers/moddable/platform.js";
import { startApp } from "./app.js";

export default function main(): void {
  const log = (message: string): void => trace(`${message}\n`);
  const platform = new ModdablePlatform({ board, io: { Digital, Serial, SPI }, Timer, microseconds, irqCapture: IrqCapture, irqAlarm: IrqAlarm, log });
  const kernel = new Kernel(platform);
  startApp(kernel, board, {
    log,
    events: {
      button: (presses) => trace(`button: ${presses} presses\n`),
      heartbeat: (ticks) => {
        if (ticks % 10 === 0) trace(`heartbeat ${ticks}\n`);
      },
    },
  });
  log(`ioport: demo firmware started on ${board.name}`);
}
