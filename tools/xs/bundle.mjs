// Builds one of the XS bundles from its rollup config (run from the repo
// root so the config's relative paths hold); returns the output file's path.
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function buildXsBundle(configFile) {
  const { rollup } = await import("rollup");
  const config = (await import(pathToFileURL(join(root, configFile)).href)).default;
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const bundle = await rollup(config);
    try {
      await bundle.write(config.output);
    } finally {
      await bundle.close();
    }
  } finally {
    process.chdir(cwd);
  }
  return join(root, config.output.file);
}
