// The command table: one line per command, loaded lazily so `minewatch --help` stays fast.
import { registerCommand } from "./main.js";

registerCommand(
  "frames",
  "frame sizes per type: ours vs JSON vs cbor-x",
  async () => (await import("./frames.js")).command,
);
registerCommand(
  "decode",
  "decode a frame given in hex (verifies its MAC with --key)",
  async () => (await import("./decode.js")).command,
);
registerCommand(
  "detect",
  "replay a recording through the sensing pipelines; print alarms and events",
  async () => (await import("./detect.js")).command,
);
registerCommand(
  "sim",
  "run a scenario (default: the demo) through a simulated fleet; check its expectations",
  async () => (await import("./sim.js")).command,
);
