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
registerCommand(
  "provision",
  "commission a node: check node.yaml, write config and keys, read back, record",
  async () => (await import("./provision.js")).command,
);
registerCommand(
  "bump-test",
  "guided bump test of one gas: reading, response time, alarm; recorded",
  async () => (await import("./bump-test.js")).command,
);
registerCommand(
  "calibrate",
  "guided zero or span calibration of one gas; recorded",
  async () => (await import("./calibrate.js")).command,
);
registerCommand(
  "status",
  "list nodes whose bump test or calibration is overdue",
  async () => (await import("./status.js")).command,
);
registerCommand(
  "registry",
  "export the provisioning registry as CSV for audits, or verify it",
  async () => (await import("./registry.js")).command,
);
registerCommand(
  "label",
  "printable SVG label (node id, location, QR code) for a provisioned node",
  async () => (await import("./label.js")).command,
);
