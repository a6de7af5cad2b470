// Bundles core/ + host-sim/ + the conformance corpus into ONE ES2022 module
// with no imports, for the XS engine (tools/xs/run-conformance.mjs). The
// TypeScript step type-checks against tsconfig.xs.json (lib ES2022, no host
// types), and any rollup warning fails the build: an unresolved or external
// import would leave the bundle unable to load in XS.
import json from "@rollup/plugin-json";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import typescript from "@rollup/plugin-typescript";

export default {
  input: "tests/conformance/xs-entry.ts",
  output: {
    file: "build/xs/conformance.js",
    format: "es",
    generatedCode: { preset: "es2015", constBindings: true },
  },
  // nothing may stay external: XS has no node_modules and no node: builtins
  external: () => false,
  plugins: [
    nodeResolve({ extensions: [".ts", ".js", ".json"], preferBuiltins: false, browser: false }),
    json({ preferConst: true }),
    typescript({ tsconfig: "tsconfig.xs.json", noEmitOnError: true, outputToFilesystem: false }),
  ],
  onwarn(warning) {
    throw new Error(`rollup (XS bundle): ${warning.code ?? ""} ${warning.message}`);
  },
};
