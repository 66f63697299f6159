/**
 * `npm run check:moddable`: without $MODDABLE one line and exit 2; the build plan (the ESP32 board's
 * creation, the wrapper manifest); reading the host program's output and the broker's frames into the
 * one-line verdict. With $MODDABLE set, one real run of the combo node on the installed SDK (slow: it
 * builds); without it that test is skipped, visibly.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeFrame } from "../../protocol/encode.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";
import {
  esp32Creation,
  INSTALL_HINT,
  linCreation,
  main,
  parseHostOutput,
  planCheck,
  SIM_BOARD_ALLOWANCE,
  summariseFrames,
  VARIANTS,
  verdict,
  wrapperManifest,
} from "../../scripts/check-moddable.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("check:moddable without the SDK", () => {
  it("says in one line what to install and exits 2", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const code = await main(["--variant", "combo"], {});
    expect(code).toBe(2);
    expect(out).not.toHaveBeenCalled();
    expect(err).toHaveBeenCalledTimes(1);
    const line = String(err.mock.calls[0]?.[0]);
    expect(line).toBe(`${INSTALL_HINT}\n`);
    expect(line.trimEnd()).not.toContain("\n");
    expect(line).toMatch(/\$MODDABLE is not set/);
    expect(line).toMatch(/Moddable SDK 8\.2\.3/);
  });

  it("bad arguments: one line, exit 2, before looking for the SDK", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["--variant", "tank"], {})).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/--variant must be one of gas, vibration, combo/);
    expect(() => planCheck(["--seconds", "x"], { MODDABLE: root })).toThrow(/--seconds/);
    expect(() => planCheck(["--frobnicate"], { MODDABLE: root })).toThrow(/unknown argument/);
  });
});

describe("check:moddable plan", () => {
  it("checks all three variants by default, or the ones named", () => {
    expect(planCheck([], { MODDABLE: root }).variants).toEqual([...VARIANTS]);
    expect(planCheck(["--variant", "combo"], { MODDABLE: root }).variants).toEqual(["combo"]);
    expect(planCheck(["--variant", "gas", "--variant", "gas"], { MODDABLE: root }).variants).toEqual(["gas"]);
  });

  it("builds with the ESP32 board manifest's creation: a fixed heap (esp32/nodemcu's chunks, 5,376 slots)", () => {
    const c = esp32Creation();
    expect(c.chunk).toEqual({ initial: 78848, incremental: 0 });
    expect(c.heap).toEqual({ initial: 5376, incremental: 0 });
    expect(c.stack).toBe(512);
    const board = JSON.parse(
      fs.readFileSync(path.join(root, "manifests", "boards", "esp32-devkit.json"), "utf8"),
    ) as { creation?: object };
    if (board.creation) expect(c).toMatchObject(board.creation);
  });

  it("the lin build gets the simulated board's allowance on top, unless --exact-creation", () => {
    const c = esp32Creation();
    expect(linCreation(c, true)).toEqual(c);
    const built = linCreation(c, false);
    expect(built.heap.initial).toBe(c.heap.initial + SIM_BOARD_ALLOWANCE.slots);
    expect(built.chunk.initial).toBe(c.chunk.initial + SIM_BOARD_ALLOWANCE.chunks);
    expect(built.heap.incremental).toBe(0);
    expect(built.stack).toBe(c.stack);
    expect(planCheck(["--exact-creation"], { MODDABLE: root }).exactCreation).toBe(true);
  });

  it("the wrapper manifest includes the variant and points MQTT, console and files at the run", () => {
    const m = wrapperManifest("gas", esp32Creation(), {
      mqttPort: 41883,
      consoleDevice: "/tmp/x/console",
      fileRoot: "/tmp/x/files/",
    }) as { include: string[]; creation: object; config: Record<string, unknown> };
    expect(m.include).toEqual([path.join(root, "manifests", "gas.json")]);
    expect(m.creation).toEqual(esp32Creation());
    expect(m.config).toMatchObject({
      mqttHost: "127.0.0.1",
      mqttPort: 41883,
      consoleDevice: "/tmp/x/console",
      file: { root: "/tmp/x/files/" },
    });
  });
});

describe("check:moddable report", () => {
  const creation = esp32Creation();
  const alarm = encodeFrame({
    type: FrameType.Alarm,
    channel: Channel.Ch4,
    level: AlarmLevel.A2,
    value: 112,
    ageS: 0,
  });
  const up = (frame: string, payload: Uint8Array = new Uint8Array([0])) => ({
    topic: `minewatch/moddable-check/70b3d57e0000c003/up/${frame}`,
    payload,
  });

  it("a node that booted, reached the broker and raised an alarm passes, with its peaks", () => {
    const run = parseHostOutput(
      [
        "minewatch-host: boot ok",
        "minewatch-host: after-boot slots=900 chunks=30000",
        "minewatch-host: console OK id=70b3d57e0000c003 fw=0.1.0 variant=combo",
        "minewatch-host: mark before-main slots=700 chunks=20000",
        "minewatch-host: mark sim-board-start slots=800 chunks=21000",
        "minewatch-host: mark sim-board-end slots=1000 chunks=22000",
        "minewatch-host: memory slots-peak=4927 slots-max=4927 chunks-peak=78000 chunks-max=78848 stack-slots=512 slot-bytes=32 slots-live-peak=3200 chunks-live-peak=61000",
        "minewatch-host: end 60",
      ].join("\n"),
    );
    const frames = summariseFrames([up("birth"), up("telemetry"), up("alarm", alarm)]);
    expect(frames.alarms).toEqual(["CH4 A2"]);
    const v = verdict("combo", run, frames, creation);
    expect(v.ok).toBe(true);
    expect(v.line).toMatch(/^check:moddable combo: boot ok/);
    expect(v.line).toContain("3 frames at the broker (birth 1, telemetry 1, alarm 1)");
    expect(v.line).toContain("alarms: CH4 A2");
    expect(v.line).toContain(
      "live: before main 700 slots 20000 B, simulated board +200 slots +1000 B, after boot 900 slots 30000 B",
    );
    expect(v.line).toContain(
      "slots live peak less the simulated board 3000 / 5376 (56 %) (all 3200, high-water 4927 of 4928)",
    );
    expect(v.line).toContain(
      "chunks live peak less the simulated board 60000 / 78848 bytes (76 %) (all 61000, high-water 78000 of 78848)",
    );
  });

  it("a boot that XS aborts is reported with XS's reason and the exception, and fails", () => {
    const run = parseHostOutput(
      [
        "XS abort: unhandled exception",
        "minewatch-host: abort 5 unhandled exception",
        "minewatch-host: at 0.1 s",
        "minewatch-host: exception TypeError: set name: not writable",
        "minewatch-host: memory slots-peak=2739 slots-max=4927 chunks-peak=75328 chunks-max=78848 stack-slots=512 slot-bytes=32",
        "minewatch-host: end 60",
      ].join("\n"),
    );
    const v = verdict("gas", run, summariseFrames([]), creation);
    expect(v.ok).toBe(false);
    expect(v.line).toMatch(
      /^check:moddable gas: boot failed: unhandled exception: TypeError: set name: not writable/,
    );
    expect(v.line).toContain("0 frames at the broker");
    expect(v.line).toContain("no alarm");
  });

  it("a node whose live peak, less the simulated board, exceeds the ESP32's heap fails", () => {
    const run = parseHostOutput(
      [
        "minewatch-host: boot ok",
        "minewatch-host: mark sim-board-start slots=800 chunks=21000",
        "minewatch-host: mark sim-board-end slots=1700 chunks=22000",
        "minewatch-host: memory slots-peak=5951 slots-max=5951 chunks-peak=90000 chunks-max=95232 stack-slots=512 slot-bytes=32 slots-live-peak=6500 chunks-live-peak=40000",
        "minewatch-host: end 60",
      ].join("\n"),
    );
    const v = verdict("combo", run, summariseFrames([up("alarm", alarm)]), creation);
    expect(v.line).toContain("slots live peak less the simulated board 5600 / 5376 (104 %)");
    expect(v.ok).toBe(false);
  });

  it("memory full after boot is a failure too", () => {
    const run = parseHostOutput(
      [
        "minewatch-host: boot ok",
        "# Slot allocation: failed in fixed size heap",
        "XS abort: memory full",
        "minewatch-host: abort 1 memory full",
        "minewatch-host: at 23.5 s",
        "minewatch-host: end aborted",
        "minewatch-host: abort -1 host exited with 1",
      ].join("\n"),
    );
    const v = verdict("combo", run, summariseFrames([up("birth"), up("alarm", alarm)]), creation);
    expect(v.ok).toBe(false);
    expect(v.line).toContain("boot ok, then XS abort: memory full (then host exited with 1) at 23.5 s");
  });
});

describe.skipIf(!process.env.MODDABLE)("check:moddable on the installed SDK ($MODDABLE)", () => {
  it("runs the combo node on lin", { timeout: 30 * 60_000 }, async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const code = await main(["--variant", "combo", "--seconds", "45"], process.env);
    const line = out.find((l) => l.startsWith("check:moddable combo: boot")) ?? out.join("");
    expect(line, line).toMatch(/boot ok/);
    expect(code, line).toBe(0);
  });
});
