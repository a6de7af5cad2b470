/**
 * The part of the ECMA-419 IO classes (`embedded:io/digital`, `.../serial`,
 * `.../spi`) and of Moddable's `timer` module that the drivers use, as
 * structural types. The firmware passes the real classes (and
 * tsconfig.moddable.json checks that they fit these types, against
 * `@moddable/typings`); host tests pass fakes. This is the hardware boundary:
 * nothing below it is ours.
 */

/** An ECMA-419 Digital instance (input or output). */
export interface DigitalIo {
  read(): number;
  write(value: 0 | 1): void;
  close(): void;
}

export interface DigitalOptions {
  pin: number;
  mode: unknown;
  edge?: number;
  onReadable?: (this: DigitalIo) => void;
}

/** `typeof Digital` from `embedded:io/digital`. */
export interface DigitalClass {
  new (options: DigitalOptions): DigitalIo;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly InputPullDown: unknown;
  readonly Output: unknown;
  readonly Rising: number;
  readonly Falling: number;
}

/** An ECMA-419 Serial instance with `format: "number"`. */
export interface SerialIo {
  read(): number | ArrayBuffer | undefined;
  write(value: number): void;
  close(): void;
}

export interface SerialOptions {
  port: number;
  receive: number;
  transmit: number;
  baud: number;
  format: "number";
  onReadable: (this: SerialIo, bytes: number) => void;
  onWritable: (this: SerialIo, bytes: number) => void;
}

/** `typeof Serial` from `embedded:io/serial`. */
export interface SerialClass {
  new (options: SerialOptions): SerialIo;
}

/** An ECMA-419 SPI instance: synchronous in Moddable. */
export interface SpiIo {
  transfer(buffer: Uint8Array): void;
  flush(deselect?: boolean): void;
}

export interface SpiOptions {
  clock: number;
  out: number;
  in: number;
  select?: number;
  hz: number;
  mode?: number;
  port?: number;
}

/** `typeof SPI` from `embedded:io/spi`. */
export interface SpiClass {
  new (options: SpiOptions): SpiIo;
}

/** Moddable's `timer` module (`import Timer from "timer"`), generic in its timer type. */
export interface TimerApi<T> {
  repeat: (callback: (timer: T) => void, interval: number) => T;
  schedule: (timer: T, interval?: number, repeat?: number) => void;
  clear: (timer: T | undefined | null) => void;
}

/** The ECMA-419 classes a board's devices are built from. */
export interface IoClasses {
  Digital: DigitalClass;
  Serial?: SerialClass;
  SPI?: SpiClass;
}
