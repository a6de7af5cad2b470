/**
 * The RP2040's mask ROM for the emulator. The rp2040js package ships none,
 * and neither does ioport: the user gives a file (`--bootrom` or
 * `$IOPORT_BOOTROM`). Two forms are read (docs/chip.md says where to get them):
 * - a raw 16 KB image (`bootrom.bin`, e.g. `arm-none-eabi-objcopy -O binary`
 *   of the B1/B2 ELF that Raspberry Pi publishes, or dumped from a board
 *   with `picotool save -r 0 4000`);
 * - the TypeScript/JavaScript source that the rp2040js repository keeps it in
 *   (demo/bootrom.ts: a Uint32Array literal of 4096 32-bit words).
 */
import { readFileSync } from "node:fs";

export const BOOTROM_BYTES = 16384;

export class BootromError extends Error {}

export function readBootrom(path: string): Uint32Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new BootromError(`cannot read the bootrom ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (/\.(ts|js|mjs)$/.test(path)) {
    const words = (bytes.toString("utf8").match(/0x[0-9a-fA-F]{1,8}/g) ?? []).map((w) => parseInt(w, 16));
    if (words.length !== BOOTROM_BYTES / 4) {
      throw new BootromError(`${path}: expected ${BOOTROM_BYTES / 4} hex words of a bootrom source, found ${words.length}`);
    }
    return Uint32Array.from(words);
  }
  if (bytes.length !== BOOTROM_BYTES) {
    throw new BootromError(`${path}: an RP2040 bootrom image is ${BOOTROM_BYTES} bytes, this file has ${bytes.length}`);
  }
  const out = new Uint32Array(BOOTROM_BYTES / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}
