#!/usr/bin/env node
// The ioport CLI. Node 20 warns that JSON modules (the board files) are
// experimental; that warning is noise for users, so it is filtered before
// the CLI itself is loaded.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name !== "ExperimentalWarning") console.warn(w);
});
const { main } = await import("../../dist/tools/cli.js");
process.exitCode = await main(process.argv.slice(2));
