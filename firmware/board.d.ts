/**
 * "ioport:board": the board description the firmware build inlines (a
 * virtual module resolved by the rollup build in tools/firmware-build.ts).
 */
declare module "ioport:board" {
  import type { BoardSpec } from "../core/board.js";
  const board: BoardSpec;
  export default board;
}
