import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Host globals that core/ must never touch: it runs unchanged in XS.
const HOST_GLOBALS = [
  "process", "Buffer", "console", "setTimeout", "clearTimeout", "setInterval", "clearInterval",
  "setImmediate", "clearImmediate", "require", "module", "__dirname", "__filename", "window",
  "document", "navigator", "performance", "queueMicrotask", "structuredClone", "fetch", "global",
  "trace", "print",
].map((name) => ({ name, message: `core/ runs in XS with no host globals; take ${name} through the Platform.` }));

export default tseslint.config(
  // drivers/moddable/{clock,irqcapture}/*.js declare XS host functions (`@ "name"`), not parseable JavaScript
  { ignores: ["node_modules/", "dist/", "build/", "bench/results/", "**/*.d.ts", "drivers/moddable/clock/clock.js", "drivers/moddable/irqcapture/irqcapture.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "tools/**", "bench/**", "tests/**"],
    languageOptions: {
      globals: {
        process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setImmediate: "readonly", setInterval: "readonly", clearInterval: "readonly",
        URL: "readonly", performance: "readonly",
      },
    },
  },
  {
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", ...HOST_GLOBALS],
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "../../*", "fs", "path", "os"], message: "core/ imports nothing outside core/." }] }],
    },
  },
  {
    // drivers/moddable and the firmware run in XS on a board: no host globals, nothing from Node
    files: ["drivers/moddable/**/*.ts", "firmware/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", ...HOST_GLOBALS.filter((g) => g.name !== "trace")],
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "fs", "path", "os", "**/host-sim/**", "**/tools/**"], message: "drivers/moddable and firmware/ run in XS: nothing from Node, host-sim or tools." }] }],
    },
  },
  {
    // engine-neutral too: bundled and run in XS (tools/xs/run-conformance.mjs)
    files: ["host-sim/**/*.ts", "tests/conformance/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", ...HOST_GLOBALS],
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "fs", "path", "os", "child_process", "vitest"], message: "engine-neutral code runs in XS: no Node modules, no test runner." }] }],
    },
  },
);
