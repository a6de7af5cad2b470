import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // fast-check: a fresh seed per run, printed with a replay command on failure
    setupFiles: ["tests/setup/property-seed.ts"],
    testTimeout: 30_000,
  },
});
