/** Deterministic simulation testing: engine-neutral core (the CLI wrapper is tools/commands/dst.ts). */
export { runSeed, runCampaign, campaignSeeds, type DstOptions, type DstProfile, DST_PROFILES, type DstStats, type SeedResult } from "./dst.js";
