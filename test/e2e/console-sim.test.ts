/**
 * The provisioning console end to end: the field-tech client (tools/console/client.ts) on the simulated
 * node's console UART (SimNode.attachConsole), the real console, the runtime's console host, the real
 * runtime, drivers and chip models, on the virtual clock. Every exchange crosses the UART at 115200 baud.
 */
import { describe, expect, it } from "vitest";
import { ResetSource } from "../../firmware/node/interlock/interlock.js";
import { decodeInterlockStatus, InterlockState } from "../../firmware/node/interlock/status.js";
import { ResetResult } from "../../firmware/node/interlock/trip.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import type { SimNodeOptions } from "../../host-sim/node/sim-node.js";
import { crc32 } from "../../protocol/checksums.js";
import { Param } from "../../protocol/config-record.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { StatusFrame } from "../../protocol/frames.js";
import { decodeProvisioning } from "../../protocol/provisioning-record.js";
import { FrameType } from "../../protocol/schema.js";
import { bytesToHex, ConsoleClient, ConsoleLinkError } from "../../tools/console/client.js";
import { runUntilSettled } from "../../tools/console/drive.js";
import { recordFor, SECRET, simNode, withCh4A1 } from "../node/console-host-rig.js";
import { Link } from "../node/console-rig.js";

const MINUTE = 60_000;

function rig(options: Partial<SimNodeOptions> = {}) {
  let link!: IdealLink;
  const { clock, node } = simNode({
    transports: (n) => {
      link = new IdealLink(n.clock);
      return [link];
    },
    ...options,
  });
  let seq = 100;
  const plug = () => {
    const client = new ConsoleClient({ clock, firstSeq: seq });
    seq += 1000;
    const cable = new Link(client);
    node.attachConsole(cable);
    return { client, cable };
  };
  const run = <T>(p: Promise<T>): Promise<T> => runUntilSettled(clock, p);
  return { clock, node, plug, run, network: () => link };
}

describe("console on a simulated node: provisioning", () => {
  it("identify, write a config (accepted, then one refused), read it back, survive a reboot", async () => {
    const { clock, node, plug, run } = rig();
    const { client } = plug();
    const id = await run(client.identify());
    expect(id).toMatchObject({
      nodeId: node.nodeIdHex,
      variant: "gas",
      configBytes: 0,
      authenticated: false,
    });
    await run(client.auth(SECRET));
    const good = recordFor(node, withCh4A1(60));
    expect(good.length).toBeGreaterThan(2 * 96); // three CFG.DATA lines
    expect(await run(client.writeConfig(good))).toBe(crc32(good));
    expect([...(await run(client.readConfig()))]).toEqual([...good]);
    expect(node.runtime.config.params[Param.ch4A1CentiPctVol]).toBe(60);

    const looser = recordFor(node, (r) => void (r.config.params[Param.ch4A2CentiPctVol] = 150));
    const refused = await run(client.writeConfig(looser).catch((e: unknown) => e));
    expect(refused).toMatchObject({ code: "invalid-config" });
    expect((refused as Error).message).toMatch(/field=setpoints\.ch4\.a2 why=out-of-range .*1\.5 %vol/);
    expect((await run(client.identify())).configCrc).toBe(crc32(good));

    await run(client.reboot());
    clock.advance(50); // the node restarts once the OK has left its UART
    expect(node.boots).toBe(2);
    // The new boot's console answers on the same cable; the session did not survive.
    expect(await run(client.identify())).toMatchObject({ configCrc: crc32(good), authenticated: false });
    expect(node.runtime.config.params[Param.ch4A1CentiPctVol]).toBe(60);
  });

  it("a cable pulled in the middle of a config write leaves the node on its previous config", async () => {
    const { node, plug, run } = rig();
    const first = plug();
    await run(first.client.auth(SECRET));
    const a = recordFor(node, withCh4A1(70));
    await run(first.client.writeConfig(a));
    const b = recordFor(node, withCh4A1(40));
    // BEGIN (~35 bytes) and the first DATA line (~215) get through; the cable parts inside the second.
    const from = first.cable.toNode.length;
    first.cable.budget = 350;
    const cut = await run(first.client.writeConfig(b).catch((e: unknown) => e));
    expect(cut).toBeInstanceOf(ConsoleLinkError);
    const sent = new TextDecoder().decode(Uint8Array.from(first.cable.toNode.slice(from)));
    expect(sent).toContain("CFG.DATA 96 ");
    expect(sent).not.toContain("CFG.COMMIT");
    node.reboot(); // and the tech power-cycles the node before trying again
    const second = plug();
    // cfgcrc tells the two records apart (record version 2: its own check is a CRC-32C), so this proves the
    // node holds `a`, not `b`.
    expect(crc32(a)).not.toBe(crc32(b));
    expect((await run(second.client.identify())).configCrc).toBe(crc32(a));
    expect(node.runtime.config.params[Param.ch4A1CentiPctVol]).toBe(70);
    expect(
      decodeProvisioning(await run(second.client.readConfig())).config.params[Param.ch4A1CentiPctVol],
    ).toBe(70);
  });

  it("a key goes in write-only: the reply carries its check value, no reply ever carries the key", async () => {
    const { node, plug, run } = rig();
    const { client, cable } = plug();
    await run(client.auth(SECRET));
    const key = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const kcv = await run(client.writeKey("mac", key));
    expect(kcv).toMatch(/^[0-9A-F]{6}$/);
    expect(await run(client.keyCheckValue("mac"))).toBe(kcv);
    await expect(run(client.writeKey("mac", key.subarray(0, 4)))).rejects.toMatchObject({
      code: "bad-length",
    });
    await run(client.writeConfig(recordFor(node)));
    await run(client.readConfig());
    await run(client.identify());
    const fromNode = cable.receivedText.toUpperCase();
    expect(cable.sentText).toContain(bytesToHex(key));
    for (let i = 0; i + 8 <= 32; i += 4) expect(fromNode).not.toContain(bytesToHex(key).slice(i, i + 8));
  });

  it("zero calibration and bump test through the console; the session end turns bump-test mode off", async () => {
    const { clock, node, plug, run } = rig({
      sources: { ch4PctVol: (t) => 0.12 + 0.004 * Math.sin(t / 7000) },
    });
    const { client } = plug();
    await run(client.auth(SECRET));
    await run(client.writeConfig(recordFor(node)));
    clock.advance(3 * MINUTE);
    await run(client.auth(SECRET)); // the idle timeout ended the first session
    expect((await run(client.reading("CH4"))).value).toBeCloseTo(0.12, 1);
    const zero = await run(client.calibrateZero("CH4"));
    expect(zero.unit).toBe("%vol");
    expect(Math.abs(zero.value)).toBeLessThan(1e-6);
    clock.advance(MINUTE);
    await run(client.auth(SECRET));
    expect(Math.abs((await run(client.reading("CH4"))).value)).toBeLessThan(0.02);
    await run(client.bumpTest(true, "CH4"));
    expect((await run(client.identify())).bumpTest).toBe(true);
    expect(node.consoleHost!.bumpChannel).toBe(0);
    await run(client.lock());
    expect(node.consoleHost!.bumpChannel).toBe(-1);
    expect((await run(client.identify())).bumpTest).toBe(false);
  });
});

describe("console on a simulated node: INTERLOCK.RESET", () => {
  it("after a CH4 trip: refused while the gas is high, accepted once it fell; the relay re-energises only then", async () => {
    // Face: trip at 1.0 %vol, reset below 1.0 %vol (kz-ru-coal). 1.5 %vol from 30 s to 90 s.
    const { clock, node, plug, run, network } = rig({
      sources: { ch4PctVol: (t) => (t >= 30_000 && t < 90_000 ? 1.5 : 0.3 + 0.004 * Math.sin(t / 7000)) },
    });
    const { client } = plug();
    clock.runUntil(60_000);
    const out = node.outputs!;
    expect(out.now().relay).toBe(0);
    await expect(run(client.resetInterlock())).rejects.toMatchObject({ code: "locked" });
    await run(client.auth(SECRET));
    const beforeRefusal = network().delivered.length;
    const high = await run(client.request("INTERLOCK.RESET"));
    expect(high).toMatchObject({ ok: false, code: "gas-high", fields: { field: "ch4" } });
    expect(high.detail).toContain("CH4 reads 1.5 %vol, not below the reset point 1 %vol");
    expect(out.events.at(-1)).toMatchObject({ kind: "reset-refused", detail: ResetResult.GasNotBelowReset });
    clock.advance(100);
    const refusedStatus = network()
      .delivered.slice(beforeRefusal)
      .map((d) => decodeFrame(d.bytes).frame)
      .filter((f) => f.type === FrameType.Status) as StatusFrame[];
    // The refusal went out too, as a status frame showing the trip still latched (gas cause).
    expect(refusedStatus.map((f) => decodeInterlockStatus(f.sensorFaults))).toContainEqual(
      expect.objectContaining({ state: InterlockState.Tripped, latched: 1 }),
    );
    clock.runUntil(150_000);
    expect(out.now().relay).toBe(0); // gas gone, still latched: no automatic re-energise
    expect(node.runtime.interlock!.state).toBe(InterlockState.ResetReady);
    await run(client.auth(SECRET));
    const statusBefore = network().delivered.length;
    const done = await run(client.resetInterlock());
    const resetAt = out.events.at(-1)!;
    expect(resetAt).toMatchObject({ kind: "reset", detail: ResetSource.Console });
    expect(done).toMatchObject({ state: "energised", resetBelowPctVol: 1 });
    expect(done.ch4PctVol).toBeCloseTo(0.3, 1);
    expect(out.now().relay).toBe(1);
    const edges = out.history.filter((s, i) => i === 0 || s.relay !== out.history[i - 1]!.relay);
    expect(edges.map((s) => s.relay)).toEqual([0, 1, 0, 1]);
    expect(edges.at(-1)!.tMs).toBe(resetAt.tMs);
    expect(out.reenergisedWithoutReset()).toEqual([]);
    // The reset went out through the outbox as a status frame showing the interlock energised again.
    clock.advance(2000);
    const statuses = network()
      .delivered.slice(statusBefore)
      .map((d) => decodeFrame(d.bytes).frame)
      .filter((f) => f.type === FrameType.Status) as StatusFrame[];
    expect(statuses.map((s) => decodeInterlockStatus(s.sensorFaults).state)).toContain(
      InterlockState.Energised,
    );
    await expect(run(client.resetInterlock())).rejects.toMatchObject({ code: "nothing-latched" });
  });
});
