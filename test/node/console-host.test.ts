/**
 * The runtime's console host (firmware/node/console/provisioning.ts) on a simulated gas node: the real
 * runtime, drivers and chip models, key-value storage that can lose power. Calls the host directly, as the
 * console does after a line has passed its checks (the console itself: console.test.ts; end to end over
 * the UART: test/e2e/console-sim.test.ts).
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { isRefusal } from "../../firmware/node/console/host.js";
import {
  BUMP_MAX_MS,
  KEY_PROV_APPLIED,
  loadProvisioning,
  RuntimeConsoleHost,
  storeProvisioning,
} from "../../firmware/node/console/provisioning.js";
import { readBytes, readU32 } from "../../firmware/node/storage.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { MemoryKeyValue } from "../../host-sim/node/key-value.js";
import type { SimNode } from "../../host-sim/node/sim-node.js";
import { Param } from "../../protocol/config-record.js";
import {
  decodeProvisioning,
  encodeProvisioning,
  type ProvisioningRecord,
} from "../../protocol/provisioning-record.js";
import { nobleFrameMac } from "../../site/frame-mac.js";
import { ConsoleClient, ConsoleRefusedError } from "../../tools/console/client.js";
import { runUntilSettled } from "../../tools/console/drive.js";
import { PowerCutStore, recordFor, SECRET, simNode, withCh4A1 } from "./console-host-rig.js";

const MINUTE = 60_000;

function host(node: SimNode): RuntimeConsoleHost {
  return node.consoleHost!;
}

/** A host over `storage` (e.g. one that loses power) on the node's running runtime. */
function hostOn(node: SimNode, storage: PowerCutStore): RuntimeConsoleHost {
  return new RuntimeConsoleHost({
    storage,
    clock: node.clock,
    runtime: () => node.runtime,
    mac: nobleFrameMac,
    firmwareVersion: "0.1.0",
    variant: node.options.variant,
    reboot: () => node.reboot(),
  });
}

const ch4A1 = (node: SimNode): number => node.runtime.config.params[Param.ch4A1CentiPctVol]!;

describe("console host: config", () => {
  it("identifies the running node; before provisioning the config reads back empty", () => {
    const { node } = simNode();
    expect(host(node).identify()).toEqual({
      nodeId: node.nodeIdHex,
      firmwareVersion: "0.1.0",
      variant: "gas",
    });
    expect(host(node).readConfig()).toHaveLength(0);
  });

  it("a committed record reads back byte for byte, applies its set-points now and survives a reboot", () => {
    const { node } = simNode();
    const bytes = recordFor(node, withCh4A1(60));
    expect(host(node).validateConfig(bytes)).toBeNull();
    expect(host(node).commitConfig(bytes)).toBeNull();
    expect([...host(node).readConfig()]).toEqual([...bytes]);
    expect(ch4A1(node)).toBe(60);
    expect(node.runtime.gas!.pipelines[0]!.settings.a1!.value).toBe(0.6);
    const p = loadProvisioning(node.storage)!;
    expect(readU32(node.storage, KEY_PROV_APPLIED)).toBe(p.seq);
    node.reboot();
    expect(node.boots).toBe(2);
    expect([...host(node).readConfig()]).toEqual([...bytes]);
    expect(ch4A1(node)).toBe(60);
  });

  it.each([
    [
      "an unknown profile",
      (r: ProvisioningRecord) => void (r.profile = "kz-ore"),
      "unknown-profile",
      "profile",
      "kz-ore",
    ],
    [
      "an unknown location class",
      (r: ProvisioningRecord) => void (r.location = "stope"),
      "unknown-location",
      "location",
      "stope",
    ],
    [
      "a CH4 A2 looser than the profile's 1.0 %vol",
      (r: ProvisioningRecord) => void (r.config.params[Param.ch4A2CentiPctVol] = 150),
      "out-of-range",
      "setpoints.ch4.a2",
      "1.5 %vol",
    ],
    [
      "set-points out of order",
      (r: ProvisioningRecord) => {
        r.config.params[Param.ch4A1CentiPctVol] = 90;
        r.config.params[Param.ch4A2CentiPctVol] = 70;
      },
      "out-of-range",
      "config",
      "90",
    ],
    [
      "an implausible calibration gain",
      (r: ProvisioningRecord) => {
        r.calGain[0] = 3;
        r.calOffset[0] = 0;
      },
      "out-of-range",
      "calibration.ch4.gain",
      "gain 3",
    ],
    [
      "another node's id",
      (r: ProvisioningRecord) => void (r.nodeId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
      "wrong-node",
      "nodeId",
      "0102030405060708",
    ],
  ])("refuses %s, naming the field and the value, and stores nothing", (_what, edit, code, field, value) => {
    const { node } = simNode();
    const before = recordFor(node, withCh4A1(70));
    expect(host(node).commitConfig(before)).toBeNull();
    const bad = recordFor(node, edit);
    const r = host(node).validateConfig(bad);
    expect(r).toMatchObject({ error: code, field });
    expect(r!.reason).toContain(value);
    expect(host(node).commitConfig(bad)).toMatchObject({ error: code, field });
    expect([...host(node).readConfig()]).toEqual([...before]);
    expect(ch4A1(node)).toBe(70);
  });

  it("a looser set-point is taken only with an override reason recorded", () => {
    const { node } = simNode();
    const bytes = recordFor(node, (r) => {
      r.config.params[Param.ch4A2CentiPctVol] = 150;
      r.override = "mine-approved-degassing-plan-2026-17";
    });
    expect(host(node).commitConfig(bytes)).toBeNull();
    expect(node.runtime.config.params[Param.ch4A2CentiPctVol]).toBe(150);
  });

  it("refuses bytes that are not an intact record: wrong CRC, truncated, foreign", () => {
    const { node } = simNode();
    const bytes = recordFor(node);
    const flipped = bytes.slice();
    flipped[40]! ^= 1;
    expect(host(node).validateConfig(flipped)).toMatchObject({
      error: "bad-encoding",
      reason: expect.stringContaining("CRC-32"),
    });
    expect(host(node).validateConfig(bytes.subarray(0, 50))).toMatchObject({ error: "bad-encoding" });
    expect(host(node).validateConfig(new TextEncoder().encode('{"nodeId":"x"}'))).toMatchObject({
      error: "bad-encoding",
    });
  });
});

describe("console host: a new location class", () => {
  it("is stored now, takes effect at the next boot, and reads back as committed", () => {
    const { node } = simNode();
    const bytes = recordFor(node, (r) => {
      r.location = "intake";
      r.config.params[Param.ch4A1CentiPctVol] = 35;
    });
    expect(host(node).commitConfig(bytes)).toBeNull();
    expect([...host(node).readConfig()]).toEqual([...bytes]);
    expect(node.runtime.gas!.setup.location).toBe("face");
    node.reboot();
    expect(node.runtime.gas!.setup.location).toBe("intake");
    expect(ch4A1(node)).toBe(35);
    expect(node.runtime.interlock!.trip.settings.tripPctVol).toBe(0.5); // the intake trip level
    expect([...host(node).readConfig()]).toEqual([...bytes]);
  });
});

describe("console host: commit atomicity across a power cut", () => {
  // A commit writes the spare slot (the commit point), then "config" (the runtime), then "provapl".
  it.each([0, 1, 2])(
    "a cut after %i of the host's writes leaves the old record or the new one whole",
    (writes) => {
      const { node } = simNode();
      const a = recordFor(node, withCh4A1(70));
      expect(host(node).commitConfig(a)).toBeNull();
      const b = recordFor(node, withCh4A1(50));
      const cut = new PowerCutStore(node.storage);
      cut.writesLeft = writes;
      const r = hostOn(node, cut).commitConfig(b);
      if (writes === 0) expect(r).toMatchObject({ error: "storage", field: "config" });
      node.reboot(); // the power comes back
      const expected = writes === 0 ? a : b;
      expect([...host(node).readConfig()]).toEqual([...expected]);
      expect(ch4A1(node)).toBe(writes === 0 ? 70 : 50);
    },
  );

  it("a cut right after the commit point: the next boot finishes the commit (writes the runtime's config)", () => {
    const { node } = simNode();
    const b = recordFor(node, withCh4A1(55));
    storeProvisioning(node.storage, b); // the slot write, and nothing after it
    expect(ch4A1(node)).not.toBe(55);
    node.reboot();
    expect(ch4A1(node)).toBe(55);
    expect(readU32(node.storage, KEY_PROV_APPLIED)).toBe(1);
  });

  it("a config downlink after provisioning shows in CFG.READ and is not undone by a reboot", () => {
    const { node } = simNode();
    expect(host(node).commitConfig(recordFor(node, withCh4A1(70)))).toBeNull();
    const rt = node.runtime;
    rt.applyConfig({
      type: 4,
      revision: 9,
      entries: [{ param: Param.ch4A1CentiPctVol, value: 65 }],
    } as never);
    expect(decodeProvisioning(host(node).readConfig()).config.params[Param.ch4A1CentiPctVol]).toBe(65);
    node.reboot();
    expect(ch4A1(node)).toBe(65);
  });
});

describe("console host: keys", () => {
  it("stores a key write-only; KEY.INFO gives HMAC-SHA256(key, 'kcv') truncated to 3 bytes; the next boot signs with it", () => {
    const { node } = simNode();
    const key = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    expect(host(node).writeKey("mac", key)).toBeNull();
    expect([...readBytes(node.storage, "key")!]).toEqual([...key]);
    const info = host(node).keyInfo("mac");
    expect(isRefusal(info)).toBe(false);
    const kcv = hmac(sha256, key, new TextEncoder().encode("kcv")).subarray(0, 3);
    expect([...(info as { kcv: Uint8Array }).kcv]).toEqual([...kcv]);
    expect(host(node).keyInfo("lorawan-appkey")).toEqual({ kcv: null });
    expect([...node.runtime.options.key]).not.toEqual([...key]); // a running node keeps its key until a boot
    node.reboot();
    expect([...node.runtime.options.key]).toEqual([...key]);
  });

  it("refuses a wrong length and an unknown slot, naming them", () => {
    const { node } = simNode();
    expect(host(node).writeKey("mac", new Uint8Array(2))).toMatchObject({
      error: "bad-length",
      field: "key",
      reason: "a mac key is 16 bytes, got 2",
    });
    expect(host(node).writeKey("wifi", new Uint8Array(16))).toMatchObject({
      error: "unknown-slot",
      reason: expect.stringContaining('"wifi"'),
    });
    expect(readBytes(node.storage, "key")).toBeUndefined();
  });
});

describe("console host: calibration", () => {
  // CH4 reads 0.1 %vol in clean air (a zero offset), CO reads 90 ppm on 100 ppm span gas (a weak cell).
  const sources = {
    ch4PctVol: (t: number) => 0.1 + 0.004 * Math.sin(t / 7000),
    coPpm: (t: number) => (t >= 8 * MINUTE ? 90 + 0.2 * Math.sin(t / 5000) : 0.2 * Math.sin(t / 5000)),
  };

  it("refuses before the node is provisioned and while the toxic cell still warms up", () => {
    const { node, clock } = simNode({ sources });
    expect(host(node).calibrate("CH4", "zero", 0)).toMatchObject({ error: "missing", field: "config" });
    expect(host(node).commitConfig(recordFor(node))).toBeNull();
    clock.advance(MINUTE);
    expect(host(node).calibrate("CO", "zero", 0)).toMatchObject({ error: "sensor-fault", field: "gas" });
    expect(host(node).calibrate("NO2", "zero", 0)).toMatchObject({ error: "unknown-gas" });
  });

  it("zero and span: the reading comes right, is stored in the record and survives a reboot", () => {
    const { node, clock } = simNode({ sources });
    expect(host(node).commitConfig(recordFor(node))).toBeNull();
    clock.advance(6 * MINUTE);
    const zero = host(node).calibrate("CH4", "zero", 0);
    expect(zero).toMatchObject({ unit: "%vol" });
    expect(Math.abs((zero as { value: number }).value)).toBeLessThan(1e-9);
    clock.advance(MINUTE);
    expect(Math.abs(node.runtime.gas!.pipelines[0]!.filtered)).toBeLessThan(0.01);
    expect(host(node).calibrate("CO", "span", 600)).toMatchObject({ error: "out-of-range", field: "span" });
    // No span gas yet: the gain it would take is implausible, and it says so.
    expect(host(node).calibrate("CO", "span", 100)).toMatchObject({
      error: "out-of-range",
      field: "calibration.co.gain",
    });
    clock.advance(2 * MINUTE); // span gas flowing since 8 min
    expect(host(node).calibrate("CO", "span", 100)).toEqual({ value: 100, unit: "ppm" });
    clock.advance(MINUTE);
    expect(node.runtime.gas!.pipelines[1]!.filtered).toBeCloseTo(100, 0);
    const rec = decodeProvisioning(host(node).readConfig());
    expect(rec.calOffset[0]).toBeCloseTo(-0.1, 2);
    expect(rec.calGain[1]).toBeCloseTo(100 / 90, 2);
    node.reboot();
    clock.advance(6 * MINUTE);
    expect(Math.abs(node.runtime.gas!.pipelines[0]!.filtered)).toBeLessThan(0.01);
    expect(node.runtime.gas!.pipelines[1]!.filtered).toBeCloseTo(100, 0);
  });
});

describe("console host: bump test, reboot, interlock", () => {
  it("bump-test mode on a fitted gas, refused for another, and off by itself after 15 min", () => {
    const { node, clock } = simNode();
    expect(host(node).setBumpTest(true, "NO2")).toMatchObject({ error: "unknown-gas" });
    expect(host(node).setBumpTest(true, "ch4")).toBeNull();
    expect(host(node).bumpChannel).toBe(0);
    clock.advance(BUMP_MAX_MS - 1000);
    expect(host(node).bumpChannel).toBe(0);
    clock.advance(2000);
    expect(host(node).bumpChannel).toBe(-1);
    expect(host(node).setBumpTest(true, "CO")).toBeNull();
    expect(host(node).setBumpTest(false, null)).toBeNull();
    expect(host(node).bumpChannel).toBe(-1);
  });

  it("reboot restarts the node: a new runtime and a new console", () => {
    const { node } = simNode();
    const [rt, console] = [node.runtime, node.console];
    host(node).reboot();
    expect(node.boots).toBe(2);
    expect(node.runtime).not.toBe(rt);
    expect(node.console).not.toBe(console);
    expect(rt.running).toBe(false);
  });

  it("an interlock reset with nothing latched is refused", () => {
    const { node } = simNode();
    expect(host(node).resetInterlock()).toMatchObject({ error: "nothing-latched", field: "interlock" });
  });
});

describe("console host: the secret over the node's console UART", () => {
  it("a wrong secret is refused and writes stay locked; the factory's secret opens the session", async () => {
    const { node, clock } = simNode();
    const client = new ConsoleClient({ clock, firstSeq: 1 });
    node.attachConsole(client);
    const run = <T>(p: Promise<T>) => runUntilSettled(clock, p);
    await expect(run(client.auth("not-the-secret"))).rejects.toMatchObject({ code: "auth-failed" });
    await expect(run(client.command("CFG.ABORT"))).rejects.toBeInstanceOf(ConsoleRefusedError);
    await run(client.auth(SECRET));
    expect((await run(client.identify())).authenticated).toBe(true);
    expect(encodeProvisioning(decodeProvisioning(recordFor(node)))).toEqual(recordFor(node));
  });
});

describe("console host: a board not provisioned yet (no runtime runs)", () => {
  it("answers with the factory id, stores a record for the boot, refuses what needs live readings", () => {
    const { node } = simNode(); // only to make a valid record for this id
    const storage = new MemoryKeyValue();
    storage.write("nodeid", node.nodeId.slice().buffer as ArrayBuffer);
    let reboots = 0;
    const h = new RuntimeConsoleHost({
      storage,
      clock: new VirtualClock(0),
      runtime: () => undefined,
      mac: nobleFrameMac,
      firmwareVersion: "0.1.0",
      variant: "gas",
      reboot: () => void reboots++,
    });
    expect(h.identify().nodeId).toBe(node.nodeIdHex);
    expect(h.reading("CH4")).toMatchObject({ error: "not-running" });
    expect(h.resetInterlock()).toMatchObject({ error: "not-running" });
    expect(h.commitConfig(recordFor(node, (r) => void (r.nodeId = new Uint8Array(8))))).toMatchObject({
      error: "wrong-node",
    });
    const bytes = recordFor(node, withCh4A1(60));
    expect(h.commitConfig(bytes)).toBeNull();
    expect([...h.readConfig()]).toEqual([...bytes]);
    // What the next boot reads: the runtime's config and the applied marker, already written.
    expect(readBytes(storage, "config")).toBeDefined();
    expect(readU32(storage, KEY_PROV_APPLIED)).toBe(1);
    h.reboot();
    expect(reboots).toBe(1);
  });
});
