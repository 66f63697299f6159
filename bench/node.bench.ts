/**
 * The whole node on XS (test/xs/entries/node.ts: runtime + sensing + protocol + drivers, chip models on the
 * XS side): the node's heap after a simulated hour against the bundle alone, and the compute a simulated
 * second costs per variant, with the gas node as the baseline measured in the same run.
 * heapCount counts XS slots (32 bytes each in 64-bit xsnap); typed-array and string storage (XS chunks) is
 * not in it. The simulated chips, bus shims, flash model and clock share the heap: an upper bound for the
 * node itself.
 */
import { XsWorker } from "../host-sim/xs/harness.js";

const SLOT_BYTES = 32;

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

async function heapHour(): Promise<string[][]> {
  const xs = await XsWorker.start("test/xs/entries/node.ts", { meteringLimit: 1e12 });
  try {
    const bundle = (await xs.evaluate("gc()")).heapCount;
    await xs.call(setup(2, 62.5, true));
    await xs.evaluate("gc()");
    const booted = (await xs.call(runFor(1))).heapCount;
    for (let m = 0; m < 60; m += 5) await xs.call(runFor(300_000));
    await xs.evaluate("gc()");
    const hour = (await xs.call(runFor(1))).heapCount;
    const kib = (slots: number) => ((slots * SLOT_BYTES) / 1024).toFixed(1);
    return [
      ["bundle evaluated (code, no node)", `${bundle}`, kib(bundle), "-"],
      [
        "combo node booted",
        `${booted}`,
        kib(booted),
        `+${booted - bundle} slots (${kib(booted - bundle)} KiB)`,
      ],
      [
        "after 1 simulated hour (CH4 alarm at 30 s)",
        `${hour}`,
        kib(hour),
        `+${hour - bundle} slots (${kib(hour - bundle)} KiB) over the bundle; +${hour - booted} over boot`,
      ],
    ];
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

export async function run(): Promise<void> {
  const heap = await heapHour();
  console.log("| node heap on XS | heapCount (slots) | KiB (x32 B) | growth |");
  console.log("| --- | --- | --- | --- |");
  for (const r of heap) console.log(`| ${r.join(" | ")} |`);
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
}
