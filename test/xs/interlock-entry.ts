/**
 * XS entry for test/xs/interlock.test.ts: the interlock (trip logic, outputs, self-test, patterns) on the
 * host Digital class of a SimBoard with the relay model, on a virtual clock, all bundled for XS.
 *
 * Request: byte 0 = command.
 *   0 setup: fresh clock, board, relay model and interlock (kz-ru-coal, face: trip 1.0 %vol).
 *   1 samples: bytes 1-4 = count n (u32 LE), bytes 5-8 = CH4 in 0.01 %vol (u32 LE): n CH4 evaluations at that
 *     reading at the same virtual instant (the clock is not advanced: the decision path only).
 *   2 run: bytes 1-4 = virtual ms to run (pattern and self-test ticks).
 *   3 reset (source button).
 *   4 weld the relay's contact.
 * Reply: u32 LE each: relay output, state, latched causes, annunciation, trips, resets, relay fault.
 */
import { Interlock } from "../../firmware/node/interlock/interlock.js";
import { InterlockIo } from "../../firmware/node/interlock/outputs.js";
import { resolveCh4Trip } from "../../firmware/sensing/profiles/index.js";
import { SimBoard } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { SimOutputs } from "../../host-sim/node/outputs.js";
import { Prng } from "../../host-sim/prng.js";

const out = new Uint8Array(7 * 4);
const view = new DataView(out.buffer);
let clock: VirtualClock;
let outputs: SimOutputs;
let interlock: Interlock;

function reply(): Uint8Array {
  view.setUint32(0, interlock.written[0]!, true);
  view.setUint32(4, interlock.state, true);
  view.setUint32(8, interlock.trip.latched, true);
  view.setUint32(12, interlock.annunciation, true);
  view.setUint32(16, interlock.trips, true);
  view.setUint32(20, interlock.resets, true);
  view.setUint32(24, interlock.monitor.fault, true);
  return out;
}

export function handle(req: Uint8Array): Uint8Array {
  const dv = new DataView(req.buffer, req.byteOffset, req.byteLength);
  switch (req[0]) {
    case 0: {
      clock = new VirtualClock();
      const board = new SimBoard(clock, new Prng(1));
      outputs = new SimOutputs(board);
      const io = new InterlockIo(makeDigital(board), outputs.pins);
      interlock = new Interlock({
        clock,
        io,
        settings: resolveCh4Trip("kz-ru-coal", "face"),
        onEvent: () => {},
      });
      interlock.start();
      break;
    }
    case 1: {
      const n = dv.getUint32(1, true);
      const pctVol = dv.getUint32(5, true) / 100;
      for (let i = 0; i < n; i++) interlock.sample(pctVol, 0);
      break;
    }
    case 2:
      clock.runUntil(clock.now() + dv.getUint32(1, true));
      break;
    case 3:
      interlock.reset(2);
      break;
    case 4:
      outputs.relay.weld();
      break;
  }
  return reply();
}
