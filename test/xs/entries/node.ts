/**
 * XS entry: a whole simulated node (runtime + sensing + protocol + drivers, with the chip models, flash
 * model, key-value storage and an ideal link bundled on the XS side) for test/xs/node.test.ts and
 * bench/node.bench.ts. The same module runs in Node, so both engines can be compared byte for byte.
 *
 * Request: byte 0 = command.
 *   0 setup: byte 1 = variant (0 gas, 1 vibration, 2 combo), bytes 2-3 = ODR in Hz x 16 (u16 LE), byte 4 = 1
 *     for a CH4 alarm at 30 s (1.2 %vol until 90 s): a fresh clock, board and node.
 *   1 run: bytes 1-4 = virtual ms to run (u32 LE).
 * Reply (both): u32 LE each: virtual time s, frames delivered, outbox depth, task errors, accel samples
 *   produced by the chip, CH4 levels bit set, last frame counter + 1, then the last delivered frame's 64
 *   bytes (zero padded) when recording.
 */
import { VirtualClock } from "../../../host-sim/clock.js";
import { IdealLink } from "../../../host-sim/node/ideal-link.js";
import { createSimNode, type SimNode } from "../../../host-sim/node/sim-node.js";

const VARIANTS = ["gas", "vibration", "combo"] as const;
const out = new Uint8Array(7 * 4);
const view = new DataView(out.buffer);
let clock: VirtualClock;
let node: SimNode;
let link: IdealLink;

function reply(): Uint8Array {
  const r = node.runtime;
  view.setUint32(0, Math.floor(clock.now() / 1000), true);
  view.setUint32(4, link.deliveredCount, true);
  view.setUint32(8, node.outbox.depth, true);
  view.setUint32(12, r.taskErrors, true);
  view.setUint32(16, node.accel ? node.accel.samplesProduced : 0, true);
  view.setUint32(20, r.levels[0]!, true);
  view.setUint32(24, r.builder.lastCounter + 1, true);
  return out;
}

export function handle(req: Uint8Array): Uint8Array {
  const dv = new DataView(req.buffer, req.byteOffset, req.byteLength);
  if (req[0] === 0) {
    clock = new VirtualClock();
    const alarm = req[4] === 1;
    node = createSimNode({
      clock,
      seed: 5,
      variant: VARIANTS[req[1]!]!,
      odrHz: dv.getUint16(2, true) / 16,
      sensorsWarm: true,
      sources: alarm ? { ch4PctVol: (t) => (t >= 30_000 && t < 90_000 ? 1.2 : 0.05) } : {},
      transports: () => {
        link = new IdealLink(clock, { record: false });
        return [link];
      },
    });
    return reply();
  }
  clock.runUntil(clock.now() + dv.getUint32(1, true));
  return reply();
}
