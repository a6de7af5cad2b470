/**
 * UF2 images (the format `mcconfig -p pico` writes): 512-byte blocks, each
 * carrying up to 476 payload bytes for one flash address. Only what the
 * RP2040 needs is read: the magic numbers, the target address and the
 * payload; a block with the "not main flash" flag is skipped, as the
 * bootloader skips it. A damaged file is refused with the block that is
 * wrong, never loaded in part.
 */
const MAGIC_START0 = 0x0a324655; // "UF2\n"
const MAGIC_START1 = 0x9e5d5157;
const MAGIC_END = 0x0ab16f30;
const FLAG_NOT_MAIN_FLASH = 0x00000001;
const BLOCK = 512;
const MAX_PAYLOAD = 476;

export interface Uf2Block {
  /** Absolute target address (0x10000000 is the start of the RP2040's flash). */
  address: number;
  data: Uint8Array;
}

export class Uf2Error extends Error {}

export function parseUf2(bytes: Uint8Array): Uf2Block[] {
  if (bytes.length === 0 || bytes.length % BLOCK !== 0) {
    throw new Uf2Error(`not a UF2 image: its size (${bytes.length} bytes) is not a multiple of ${BLOCK}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: Uf2Block[] = [];
  for (let off = 0; off < bytes.length; off += BLOCK) {
    const n = off / BLOCK;
    if (view.getUint32(off, true) !== MAGIC_START0 || view.getUint32(off + 4, true) !== MAGIC_START1 || view.getUint32(off + 508, true) !== MAGIC_END) {
      throw new Uf2Error(`not a UF2 image: block ${n} has wrong magic numbers`);
    }
    const flags = view.getUint32(off + 8, true);
    const address = view.getUint32(off + 12, true);
    const size = view.getUint32(off + 16, true);
    if (size > MAX_PAYLOAD) throw new Uf2Error(`damaged UF2 image: block ${n} claims ${size} payload bytes (at most ${MAX_PAYLOAD})`);
    if ((flags & FLAG_NOT_MAIN_FLASH) !== 0) continue;
    blocks.push({ address, data: bytes.subarray(off + 32, off + 32 + size) });
  }
  return blocks;
}

/** Writes the blocks into a flash image that starts at `base`; throws for a block outside it. */
export function loadUf2(blocks: readonly Uf2Block[], flash: Uint8Array, base: number): void {
  for (const b of blocks) {
    const at = b.address - base;
    if (at < 0 || at + b.data.length > flash.length) {
      throw new Uf2Error(`UF2 block for 0x${b.address.toString(16)} lies outside the flash (0x${base.toString(16)}, ${flash.length} bytes): is it an RP2040 image?`);
    }
    flash.set(b.data, at);
  }
}
