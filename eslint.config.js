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
  { ignores: ["node_modules/", "dist/", "build/", "bench/results/", "**/*.d.ts"] },
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
    // the engine-neutral probe core runs in XS too (firmware/irq-latency/main.ts on the board)
    files: ["firmware/irq-latency/probe.ts", "firmware/irq-latency/kernel-modes.ts"],
    rules: { "no-restricted-globals": ["error", ...HOST_GLOBALS] },
  },
);
