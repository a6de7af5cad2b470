/**
 * A SPI NOR flash model (W25Q-style, JEDEC command set), transaction level:
 * each transfer is one chip-select frame, decoded when it starts.
 *
 * Commands: 0x9F READ JEDEC ID, 0x05 READ STATUS (bit 0 WIP, bit 1 WEL),
 * 0x06 WRITE ENABLE, 0x04 WRITE DISABLE, 0x03 READ (24-bit address, wraps at
 * the end), 0x02 PAGE PROGRAM (wraps within the 256-byte page; only clears
 * bits), 0x20 SECTOR ERASE (4 KiB to 0xFF), 0xC7/0x60 CHIP ERASE.
 * Program and erase need WEL, take time (WIP set until the operation ends,
 * measured from the end of the frame), and clear WEL when they finish. While
 * WIP is set every command but READ STATUS is ignored, as on the real part.
 * Unknown commands are ignored (MISO 0xFF).
 */
import type { SimSpiBusInfo, SpiDevice } from "./spi.js";

export interface SpiFlashOptions {
  /** Capacity in bytes (default 1 MiB); a multiple of 4096. */
  sizeBytes?: number;
  /** JEDEC manufacturer, memory type, capacity (default Winbond W25Q80: EF 40 14). */
  jedecId?: readonly [number, number, number];
  /** Page program time, ns (default 700 µs, typical). */
  pageProgramNs?: number;
  /** 4 KiB sector erase time, ns (default 45 ms, typical). */
  sectorEraseNs?: number;
  /** Chip erase time, ns (default 2 s). */
  chipEraseNs?: number;
}

export const FLASH_READ = 0x03;
export const FLASH_PAGE_PROGRAM = 0x02;
export const FLASH_SECTOR_ERASE = 0x20;
export const FLASH_CHIP_ERASE = 0xc7;
export const FLASH_WRITE_ENABLE = 0x06;
export const FLASH_WRITE_DISABLE = 0x04;
export const FLASH_READ_STATUS = 0x05;
export const FLASH_JEDEC_ID = 0x9f;
export const FLASH_STATUS_WIP = 0x01;
export const FLASH_STATUS_WEL = 0x02;

const PAGE = 256;
const SECTOR = 4096;

export class SpiFlash implements SpiDevice {
  readonly memory: Uint8Array;
  readonly jedecId: readonly [number, number, number];
  private readonly opts: Required<Omit<SpiFlashOptions, "jedecId" | "sizeBytes">>;
  private bus: SimSpiBusInfo | null = null;
  private wel = false;
  private busyUntil = -Infinity;
  /** Frames decoded, by command byte (statistics, for tests). */
  readonly commands = new Map<number, number>();

  constructor(options: SpiFlashOptions = {}) {
    const size = options.sizeBytes ?? 1 << 20;
    if (!Number.isInteger(size) || size <= 0 || size % SECTOR !== 0) {
      throw new RangeError(`ioport: SpiFlash sizeBytes must be a positive multiple of 4096, got ${String(size)}`);
    }
    this.memory = new Uint8Array(size).fill(0xff);
    this.jedecId = options.jedecId ?? [0xef, 0x40, 0x14];
    this.opts = {
      pageProgramNs: options.pageProgramNs ?? 700_000,
      sectorEraseNs: options.sectorEraseNs ?? 45_000_000,
      chipEraseNs: options.chipEraseNs ?? 2_000_000_000,
    };
  }

  attached(bus: SimSpiBusInfo): void {
    this.bus = bus;
  }

  private now(): number {
    return this.bus === null ? 0 : this.bus.now();
  }

  /** Whether a program or erase is in progress. */
  get busy(): boolean {
    this.sync();
    return this.now() < this.busyUntil;
  }

  /** The status register as READ STATUS would return it now. */
  get status(): number {
    this.sync();
    return (this.now() < this.busyUntil ? FLASH_STATUS_WIP : 0) | (this.wel ? FLASH_STATUS_WEL : 0);
  }

  private sync(): void {
    // WEL clears when the program/erase that used it finishes
    if (this.busyUntil !== -Infinity && this.now() >= this.busyUntil) {
      this.busyUntil = -Infinity;
      this.wel = false;
    }
  }

  private startBusy(frameLen: number, ns: number): void {
    const end = this.bus === null ? 0 : this.bus.now() + this.bus.durationNs(frameLen);
    this.busyUntil = end + ns;
  }

  private addr(mosi: Uint8Array): number {
    return ((((mosi[1] ?? 0) << 16) | ((mosi[2] ?? 0) << 8) | (mosi[3] ?? 0)) >>> 0) % this.memory.length;
  }

  transfer(mosi: Uint8Array): Uint8Array {
    const miso = new Uint8Array(mosi.length).fill(0xff);
    if (mosi.length === 0) return miso;
    const cmd = mosi[0] as number;
    this.commands.set(cmd, (this.commands.get(cmd) ?? 0) + 1);
    this.sync();
    const busy = this.now() < this.busyUntil;
    if (cmd === FLASH_READ_STATUS) {
      const s = this.status;
      for (let i = 1; i < miso.length; i++) miso[i] = s;
      return miso;
    }
    if (busy) return miso;
    const mem = this.memory;
    switch (cmd) {
      case FLASH_JEDEC_ID:
        for (let i = 1; i < miso.length && i <= 3; i++) miso[i] = this.jedecId[i - 1] as number;
        break;
      case FLASH_WRITE_ENABLE:
        this.wel = true;
        break;
      case FLASH_WRITE_DISABLE:
        this.wel = false;
        break;
      case FLASH_READ: {
        if (mosi.length < 4) break;
        let a = this.addr(mosi);
        for (let i = 4; i < miso.length; i++) {
          miso[i] = mem[a] as number;
          if (++a === mem.length) a = 0;
        }
        break;
      }
      case FLASH_PAGE_PROGRAM: {
        if (!this.wel || mosi.length < 5) break;
        const a = this.addr(mosi);
        const base = a - (a % PAGE);
        // the page buffer: bytes past 256 wrap and overwrite, as on the part
        const buf = new Uint8Array(PAGE).fill(0xff);
        const touched = new Uint8Array(PAGE);
        for (let i = 4; i < mosi.length; i++) {
          const j = (a - base + (i - 4)) % PAGE;
          buf[j] = mosi[i] as number;
          touched[j] = 1;
        }
        for (let j = 0; j < PAGE; j++) if (touched[j]) mem[base + j] = (mem[base + j] as number) & (buf[j] as number);
        this.startBusy(mosi.length, this.opts.pageProgramNs);
        break;
      }
      case FLASH_SECTOR_ERASE: {
        if (!this.wel || mosi.length < 4) break;
        const a = this.addr(mosi);
        const base = a - (a % SECTOR);
        mem.fill(0xff, base, base + SECTOR);
        this.startBusy(mosi.length, this.opts.sectorEraseNs);
        break;
      }
      case FLASH_CHIP_ERASE:
      case 0x60:
        if (!this.wel) break;
        mem.fill(0xff);
        this.startBusy(mosi.length, this.opts.chipEraseNs);
        break;
      default:
        break;
    }
    return miso;
  }
}
