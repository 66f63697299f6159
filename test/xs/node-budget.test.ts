/**
 * Each variant's whole node on XS under the target's rules (test/xs/target-rules.ts), against the XS
 * creation its board manifests set (manifests/boards/*.json "creation": a fixed heap on the ESP32, no growth).
 * The node boots from what was provisioned, senses and sends for an hour (a methane episode on the gas
 * variants), rides out a 10-minute broker outage with the outbox filling, takes a signed config change, and
 * runs on. What exists once the modules ran is flash (a preload); RAM is what the node made after that,
 * measured from XS snapshots (live slots and chunk bytes after a collection) every 5 simulated minutes.
 * Each must stay within 75 % of the creation (>= 25 % margin). Not measured here: a transient peak inside a
 * step (xsnap has no fixed heap to fail on it), and Moddable's own MQTT client and sockets (the link is on the
 * Node side); `npm run check:moddable` measures both on Moddable's real XS.
 */
import { afterAll, describe, expect, it } from "vitest";
import { KEY_CONFIG } from "../../firmware/node/storage.js";
import { sealDownlink } from "../../host-sim/node/downlink.js";
import { decodeConfig } from "../../protocol/config-record.js";
import { FrameType } from "../../protocol/schema.js";
import { NodeHostBridge, type NodeHostOptions, runRequest } from "./entries/node-host.js";
import { XsWorker } from "./harness.js";
import { type TargetCreation, targetCreation } from "./target-rules.js";

const MARGIN = 0.25;
const methane = (t: number) => (t >= 600_000 && t < 1_200_000 ? 1.2 : 0.05);
const VARIANTS: Record<string, NodeHostOptions> = {
  gas: { seed: 11, variant: "gas", sensorsWarm: true, sources: { ch4PctVol: methane } },
  vibration: { seed: 12, variant: "vibration", odrHz: 62.5, sensorsWarm: true },
  combo: { seed: 13, variant: "combo", odrHz: 62.5, sensorsWarm: true, sources: { ch4PctVol: methane } },
};
const BOARDS = ["esp32-devkit", "xiao-esp32s3-wio-e5"];

const workers: XsWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.close().catch(() => {});
});

const words = (b: Uint8Array) => [...new Uint32Array(b.slice().buffer)];

interface Peak {
  liveSlots: number;
  liveChunkBytes: number;
  phase: string;
}

describe("every variant within its board's XS creation, with 25 % margin", () => {
  const creations = BOARDS.map(targetCreation);
  // The tightest creation of the boards a variant may be built for is the budget.
  const budget: TargetCreation = {
    ...creations[0]!,
    target: BOARDS.join(", "),
    chunkBytes: Math.min(...creations.map((c) => c.chunkBytes)),
    slots: Math.min(...creations.map((c) => c.slots)),
  };

  it("every ESP32 board manifest sets an explicit fixed creation", () => {
    for (const c of creations) {
      expect(c.slots).toBeGreaterThan(0);
      expect(c.chunkBytes).toBeGreaterThan(0);
      expect(c.stack).toBeGreaterThan(0);
    }
  });

  for (const [variant, options] of Object.entries(VARIANTS)) {
    it(`${variant}: boot, an hour of sensing and sending, a broker outage, a config change`, async () => {
      const bridge = new NodeHostBridge(options);
      const xs = await XsWorker.start("test/xs/entries/node-remote.ts", {
        meteringLimit: 1e12,
        onHostCommand: bridge.handle,
        measureRam: true,
      });
      workers.push(xs);
      const peak: Peak = { liveSlots: 0, liveChunkBytes: 0, phase: "" };
      let last: number[] = [];
      const series: number[] = [];
      const step = async (phase: string, request: Uint8Array) => {
        last = words((await xs.call(request)).reply);
        const ram = await xs.ramFigures();
        series.push(ram.slots);
        if (ram.slots > peak.liveSlots || ram.chunkBytes > peak.liveChunkBytes) peak.phase = phase;
        peak.liveSlots = Math.max(peak.liveSlots, ram.slots);
        peak.liveChunkBytes = Math.max(peak.liveChunkBytes, ram.chunkBytes);
      };
      await step("boot", bridge.setupRequest());
      for (let t = 300_000; t <= 3_600_000; t += 300_000) await step("sensing", runRequest(t));
      const sentBeforeOutage = bridge.link.deliveredCount;
      bridge.link.setUp(false);
      for (let t = 3_900_000; t <= 4_200_000; t += 300_000) await step("outage", runRequest(t));
      const backlog = last[1]!;
      expect(backlog).toBeGreaterThan(0); // frames wait in the outbox
      bridge.link.setUp(true);
      await step("reconnect", runRequest(4_260_000));
      expect(last[1]).toBeLessThanOrEqual(1); // the backlog went out (a new frame may be awaiting its ack)
      expect(bridge.link.deliveredCount - sentBeforeOutage).toBeGreaterThanOrEqual(backlog);
      bridge.link.downlink(
        FrameType.Config,
        sealDownlink(
          {
            type: FrameType.Config,
            revision: 3,
            entries: [{ param: 0, value: 120 }],
          },
          1,
          bridge.sim.key,
        ),
      );
      for (let t = 4_500_000; t <= 5_400_000; t += 300_000) await step("after config", runRequest(t));
      // The node applied and stored the change (its key-value storage is on the Node side of the bridge).
      const stored = bridge.sim.storage.read(KEY_CONFIG);
      expect(stored).toBeInstanceOf(ArrayBuffer);
      const config = decodeConfig(new Uint8Array(stored as ArrayBuffer));
      expect(config.revision).toBe(3);
      expect(last[2]).toBe(0); // no task errors anywhere
      const esp32Bytes = peak.liveSlots * budget.slotBytes + peak.liveChunkBytes;
      console.log(
        `${variant} on XS (${budget.target}: ${budget.slots} slots, ${budget.chunkBytes} chunk bytes): RAM peak ` +
          `${peak.liveSlots} live slots (${pct(peak.liveSlots, budget.slots)}), ${peak.liveChunkBytes} live chunk ` +
          `bytes (${pct(peak.liveChunkBytes, budget.chunkBytes)}) at "${peak.phase}"; ${(esp32Bytes / 1024).toFixed(1)} KiB ` +
          `with 16-byte slots; ${bridge.link.deliveredCount} frames delivered; live slots by step ${series.join(",")}`,
      );
      expect(peak.liveSlots).toBeLessThanOrEqual((1 - MARGIN) * budget.slots);
      // Flat once warm (a leak would exhaust a fixed heap in days): the last 20 minutes of the hour, and the
      // 15 minutes after the config change, each hold one live-slot count.
      expect(new Set(series.slice(7, 12)).size).toBe(1);
      expect(new Set(series.slice(-4)).size).toBe(1);
      expect(peak.liveChunkBytes).toBeLessThanOrEqual((1 - MARGIN) * budget.chunkBytes);
    }, 240_000); // an hour and a half of a node on XS: minutes on a loaded machine
  }
});

function pct(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(1)} %`;
}
