/**
 * LoRaWAN benchmark: (1) time on air and the duty-cycle interval it forces, per EU868/RU864 data rate, for
 * the frame sizes the node sends (Semtech formula, the same code the node runs); (2) the XS cost of the node
 * code, in meter units (deterministic): one AT answer line parsed, one uplink through the LoRa-E5 driver
 * (command built + written + answer parsed), one uplink through the whole transport (queue, airtime,
 * duty cycle, driver), each against the cheaper layer below it measured in the same run; (3) the heap
 * delta per call at 1 and 40 operations (0 growth = no steady-state allocation).
 */
import { lorawanUplinkAirtimeMs } from "../host-sim/radio/airtime.js";
import { EU868 } from "../protocol/lorawan-regions.js";
import { XsWorker } from "../test/xs/harness.js";

const req = (mode: number, n: number) => Uint8Array.of(mode, n >> 8, n & 0xff);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function run(): Promise<void> {
  const rows: string[][] = [];
  for (let dr = 0; dr < EU868.dataRates.length; dr++) {
    const d = EU868.dataRates[dr]!;
    const alarm = lorawanUplinkAirtimeMs(EU868, dr, 11);
    const telemetry = lorawanUplinkAirtimeMs(EU868, dr, 24);
    const max = lorawanUplinkAirtimeMs(EU868, dr, d.maxAppPayloadBytes);
    rows.push([
      `DR${dr} SF${d.sf}/${d.bandwidthHz / 1000}k`,
      `${d.maxAppPayloadBytes}`,
      alarm.toFixed(1),
      telemetry.toFixed(1),
      max.toFixed(1),
      (telemetry / 0.01 / 1000).toFixed(1),
      `${(3_600_000 / (telemetry / 0.01)).toFixed(0)}`,
    ]);
  }
  console.log("Time on air, ms (EU868 and RU864 share these data rates; 13 bytes LoRaWAN overhead added):\n");
  console.log(
    table(
      [
        "data rate",
        "max B",
        "alarm 11 B",
        "telemetry 24 B",
        "max payload",
        "1% off-time s",
        "telemetry/h max",
      ],
      rows,
    ),
  );

  const xs = await XsWorker.start("test/xs/entries/lorawan.ts");
  const min = await XsWorker.start("test/xs/entries/lorawan.ts", { minify: true });
  try {
    const perOp = async (mode: number, per = 1) => {
      const one = await xs.call(req(mode, 1));
      const many = await xs.call(req(mode, 101));
      return (many.compute - one.compute) / 100 / per;
    };
    const line = await perOp(0, 10); // the transcript has 10 lines
    const send = await perOp(1);
    const uplink = await perOp(2);
    const alarm = await perOp(3);
    const heap = async (mode: number) => {
      await xs.evaluate("gc()");
      let prev = await xs.call(req(mode, 1));
      const d: number[] = [];
      for (const n of [1, 40]) {
        const r = await xs.call(req(mode, n));
        d.push(r.heapCount - prev.heapCount);
        prev = r;
      }
      return d;
    };
    const cost = [
      ["AT answer line parsed", line, "-", await heap(0)],
      ["driver: unconfirmed send (2 answer lines)", send, `${(send / line).toFixed(1)}x line`, await heap(1)],
      ["transport: telemetry uplink", uplink, `${(uplink / send).toFixed(2)}x driver`, await heap(2)],
      ["transport: confirmed alarm + ACK", alarm, `${(alarm / send).toFixed(2)}x driver`, await heap(3)],
    ] as const;
    console.log(
      "\nXS meter units per operation (deterministic), heap slot delta per call at 1 and 40 operations:\n",
    );
    console.log(
      table(
        ["operation", "meter units", "ratio", "heap d(1)", "heap d(40)"],
        cost.map(([name, units, ratio, h]) => [name, units.toFixed(0), ratio, `${h[0]}`, `${h[1]}`]),
      ),
    );
    console.log(
      `\nXS bundle (minified) of parser + driver + transport + scripted modem: ${min.bundleBytes} bytes`,
    );
  } finally {
    await Promise.all([xs.close(), min.close()]);
  }
}
