// Bundles bench/ (cases + lib) with core/ and host-sim/ into ONE ES2022
// module with no imports, for the XS engine (tools/xs/run-bench.mjs). Same
// rules as the conformance bundle (rollup.config.mjs): type-checked against
// lib ES2022 with no host types (tsconfig.bench-xs.json), and any rollup
// warning fails the build.
import json from "@rollup/plugin-json";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import typescript from "@rollup/plugin-typescript";

export default {
  input: "bench/xs-entry.ts",
  output: {
    file: "build/xs/bench.js",
    format: "es",
    generatedCode: { preset: "es2015", constBindings: true },
  },
  external: () => false,
  plugins: [
    nodeResolve({ extensions: [".ts", ".js", ".json"], preferBuiltins: false, browser: false }),
    json({ preferConst: true }),
    typescript({ tsconfig: "tsconfig.bench-xs.json", noEmitOnError: true, outputToFilesystem: false }),
  ],
  onwarn(warning) {
    throw new Error(`rollup (XS bench bundle): ${warning.code ?? ""} ${warning.message}`);
  },
};
