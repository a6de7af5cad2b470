import { defineConfig } from "vitest/config";

// The chip tier (tests/chip/*.chip.ts): firmware built with the real mcconfig, run on an emulated
// RP2040. Run by tools/chip-tier.mjs (npm run test:chip) where the SDK and a bootrom exist.
export default defineConfig({
  test: {
    include: ["tests/chip/**/*.chip.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
