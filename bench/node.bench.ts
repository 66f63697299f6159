/**
 * The whole node on XS. Heap: the node alone (test/xs/entries/node-remote.ts: runtime + sensing + protocol +
 * drivers + outbox on XS; chip models, flash, clock and link on the Node side through xsnap's command
 * channel) after a simulated hour of a combo node, against the baseline of the same node with the chip
 * models bundled into XS too (test/xs/entries/node.ts), both measured in this run from XS snapshots
 * (XsWorker.heapFigures: live slots x sizeof(txSlot) read from the snapshot, plus live chunk bytes), as the
 * growth over the bundle evaluated before boot. The ESP32 column re-prices the same slot count at 16 bytes,
 * sizeof(txSlot) on a 32-bit XS build (xsAll.h struct sxSlot: next pointer 4, id/flag/kind 4, value 8);
 * chunk bytes are taken as measured. Compute: a simulated second per variant, chip models included, with
 * the gas node as the baseline; then the node alone, whose figure still includes the XS-side marshalling of
 * every bus transfer through the command channel (a stand-in for native IO that costs more than the chip
 * models it replaces on the gas node): an upper bound for the node's own CPU. The vibration path without
 * it is in bench/vibration-path.bench.ts.
 */

import { NodeHostBridge, runRequest } from "../test/xs/entries/node-host.js";
import { type XsHeapFigures, XsWorker } from "../test/xs/harness.js";

const ESP32_SLOT_BYTES = 16;
const BUDGET_BYTES = 64 * 1024;

function setup(variant: number, odrHz: number, alarm: boolean): Uint8Array {
  const r = new Uint8Array(5);
  r[1] = variant;
  new DataView(r.buffer).setUint16(2, odrHz * 16, true);
  r[4] = alarm ? 1 : 0;
  return r;
}

function runFor(ms: number): Uint8Array {
  const r = new Uint8Array(5);
  r[0] = 1;
  new DataView(r.buffer).setUint32(1, ms, true);
  return r;
}

interface HeapRow {
  label: string;
  slots: number;
  chunkBytes: number;
  slotBytes: number;
  growthSlots: number;
}

function growth(label: string, bundle: XsHeapFigures, booted: XsHeapFigures, hour: XsHeapFigures): HeapRow {
  return {
    label,
    slots: hour.slots - bundle.slots,
    chunkBytes: hour.chunkBytes - bundle.chunkBytes,
    slotBytes: hour.slotBytes,
    growthSlots: hour.slots - booted.slots,
  };
}

/** Combo node, ADXL355 at 62.5 Hz, CH4 alarm at 30 s: the node alone on XS. */
async function splitHour(): Promise<HeapRow> {
  const bridge = new NodeHostBridge({
    seed: 5,
    variant: "combo",
    odrHz: 62.5,
    sensorsWarm: true,
    sources: { ch4PctVol: (t) => (t >= 30_000 && t < 90_000 ? 1.2 : 0.05) },
  });
  const xs = await XsWorker.start("test/xs/entries/node-remote.ts", {
    meteringLimit: 1e12,
    onHostCommand: bridge.handle,
  });
  try {
    const bundle = await xs.heapFigures();
    await xs.call(bridge.setupRequest());
    await xs.call(runRequest(120_000));
    const booted = await xs.heapFigures();
    await xs.call(runRequest(3_600_000));
    return growth(
      "node alone on XS (IO through the command channel)",
      bundle,
      booted,
      await xs.heapFigures(),
    );
  } finally {
    await xs.close();
  }
}

/** The same node and scenario with the chip models, flash model and clock bundled into XS (baseline). */
async function bundledHour(): Promise<HeapRow> {
  const xs = await XsWorker.start("test/xs/entries/node.ts", { meteringLimit: 1e12 });
  try {
    const bundle = await xs.heapFigures();
    await xs.call(setup(2, 62.5, true));
    await xs.call(runFor(120_000));
    const booted = await xs.heapFigures();
    for (let m = 2; m < 60; m += 29) await xs.call(runFor(29 * 60_000));
    return growth("baseline: node + chip models + clock all on XS", bundle, booted, await xs.heapFigures());
  } finally {
    await xs.close();
  }
}

async function computePerSecond(variant: number, odrHz: number, seconds: number): Promise<number> {
  const xs = await XsWorker.start("test/xs/entries/node.ts", { meteringLimit: 1e12 });
  try {
    await xs.call(setup(variant, odrHz, false));
    await xs.call(runFor(10_000)); // past the LTA warm-up and the first polls
    const r = await xs.call(runFor(seconds * 1000));
    return r.compute / seconds;
  } finally {
    await xs.close();
  }
}

/** XS compute of the node alone (host IO on the Node side, so unmetered) per simulated second. */
async function aloneComputePerSecond(
  variant: "gas" | "combo",
  odrHz: number,
  seconds: number,
): Promise<{ perS: number; roundTripsPerS: number }> {
  const bridge = new NodeHostBridge({ seed: 5, variant, odrHz, sensorsWarm: true });
  const xs = await XsWorker.start("test/xs/entries/node-remote.ts", {
    meteringLimit: 1e12,
    onHostCommand: bridge.handle,
  });
  try {
    await xs.call(bridge.setupRequest());
    const warm = await xs.call(runRequest(10_000)); // past the LTA warm-up and the first polls
    const r = await xs.call(runRequest(10_000 + seconds * 1000));
    const trips = (w: Uint8Array) => new DataView(w.buffer, w.byteOffset).getUint32(20, true);
    return { perS: r.compute / seconds, roundTripsPerS: (trips(r.reply) - trips(warm.reply)) / seconds };
  } finally {
    await xs.close();
  }
}

export async function run(): Promise<void> {
  const baseline = await bundledHour();
  const split = await splitHour();
  const kib = (b: number) => (b / 1024).toFixed(1);
  const host = (r: HeapRow) => r.slots * r.slotBytes + r.chunkBytes;
  const esp32 = (r: HeapRow) => r.slots * ESP32_SLOT_BYTES + r.chunkBytes;
  console.log(
    "| combo node heap after 1 simulated hour (growth over the bundle) | slots | chunk bytes | KiB, xsnap 64-bit (32 B slots) | KiB, ESP32 (16 B slots) | vs 64 KiB budget | ratio to baseline | slots grown after boot |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of [baseline, split]) {
    console.log(
      `| ${r.label} | ${r.slots} | ${r.chunkBytes} | ${kib(host(r))} | ${kib(esp32(r))} | ${(esp32(r) / BUDGET_BYTES).toFixed(2)} | ${(esp32(r) / esp32(baseline)).toFixed(2)}x | ${r.growthSlots} |`,
    );
  }
  const gas = await computePerSecond(0, 1000, 60);
  const rows: [string, number, number][] = [["gas node (baseline): 1 Hz CH4, 3 Hz ADC", gas, 0]];
  for (const odr of [125, 1000]) {
    const c = await computePerSecond(2, odr, 10);
    rows.push([`combo node, ADXL355 at ${odr} Hz`, c, odr]);
  }
  console.log(
    "\n| XS compute per simulated second (chip models and bus shims included) | meter units / s | per accel sample-axis | ratio to gas node |",
  );
  console.log("| --- | --- | --- | --- |");
  for (const [label, c, odr] of rows) {
    const perAxis = odr > 0 ? ((c - gas) / (3 * odr)).toFixed(0) : "-";
    console.log(`| ${label} | ${Math.round(c)} | ${perAxis} | ${(c / gas).toFixed(1)}x |`);
  }

  const aloneGas = await aloneComputePerSecond("gas", 1000, 60);
  const alone: [string, { perS: number; roundTripsPerS: number }, number][] = [
    ["gas node alone (baseline)", aloneGas, 0],
  ];
  for (const odr of [125, 1000])
    alone.push([
      `combo node alone, ADXL355 at ${odr} Hz`,
      await aloneComputePerSecond("combo", odr, 10),
      odr,
    ]);
  console.log(
    "\n| XS compute per simulated second, node alone (chip models in Node, unmetered; the XS side of the command channel, which stands in for native IO, metered and included) | meter units / s | per accel sample-axis | host round trips / s | ratio to gas node alone |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const [label, c, odr] of alone) {
    const perAxis = odr > 0 ? ((c.perS - aloneGas.perS) / (3 * odr)).toFixed(0) : "-";
    console.log(
      `| ${label} | ${Math.round(c.perS)} | ${perAxis} | ${c.roundTripsPerS.toFixed(0)} | ${(c.perS / aloneGas.perS).toFixed(1)}x |`,
    );
  }
}
