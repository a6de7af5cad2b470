/**
 * Device backend interfaces a Platform provides: filled in by the devices
 * layer (IRQ sources, serial and SPI backends). The simulator implements them
 * with device models, `drivers/moddable/` with ECMA-419 IO.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlatformDevices {}
