import { describe, expect, it } from "vitest";
import { SensorFault } from "../../firmware/drivers/faults.js";
import { type DriverError, MIPEX02, MipexFlag } from "../../firmware/drivers/mipex02.js";
import { SimBoard } from "../../host-sim/board.js";
import { MIPEX_WARMUP_MS, Mipex02Model, MipexStatus } from "../../host-sim/chips/mipex02.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeSerial, type SerialOptions } from "../../host-sim/io/serial.js";
import { Prng } from "../../host-sim/prng.js";

const PORT = 1;

/** Board + model powered 200 s before the test starts (warmed up), and a Serial class that logs bytes. */
function rig(ch4PctVol: (t: number) => number = () => 1.23, warm = true) {
  const clock = new VirtualClock(warm ? 200_000 : 0);
  const board = new SimBoard(clock, new Prng(5));
  const model = new Mipex02Model(board, { port: PORT, ch4PctVol, poweredAtMs: 0 });
  const tx: number[][] = [];
  const rx: number[] = [];
  const Base = makeSerial(board);
  const Serial = class extends Base {
    constructor(o: SerialOptions) {
      super(o);
    }
    override write(value: number | ArrayBufferView | ArrayBuffer): void {
      tx.push(Array.from(value as Uint8Array));
      super.write(value);
    }
    override read(count?: number): number | ArrayBuffer | undefined {
      const b = super.read(count);
      if (typeof b === "number") rx.push(b);
      return b;
    }
  };
  return { clock, board, model, tx, rx, Serial };
}

const DATAE2 = [0x44, 0x41, 0x54, 0x41, 0x45, 0x32, 0x0d];

describe("MIPEX-02 NDIR methane driver against the protocol model", () => {
  it("sends DATAE2 CR, decodes C1 (%vol x 100) and the status word, checks the XOR checksum", () => {
    const { clock, model, tx, rx, Serial } = rig(() => 1.23);
    model.recordCommands = true;
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    expect(tx).toEqual([DATAE2]);
    clock.advance(1000);
    expect(model.commands).toEqual(["DATAE2"]);
    // 123 = 0x007B, status 0, CRC = 0x00 ^ 0x7B ^ 0 ^ 0
    expect(rx).toEqual([0x00, 0x7b, 0x00, 0x00, 0x7b, 0x0d]);
    const s = ndir.sample();
    expect(s).toEqual({ ch4PctVol: 1.23, statusFlags: 0, overRange: false });
    expect(ndir.fault).toBe(SensorFault.None);
    expect(tx).toEqual([DATAE2, DATAE2]);
  });

  it("the reply takes 6 bytes at 9600 baud after the request's 7: onSample fires when it is complete", () => {
    const { clock, Serial } = rig(() => 0.5);
    const at: number[] = [];
    const start = clock.now();
    const ndir = new MIPEX02({
      sensor: { io: Serial, port: PORT },
      onSample: () => at.push(clock.now() - start),
    });
    clock.advance(100);
    // 7 bytes out (7.29 ms) + 10 ms module turnaround + 6 bytes back (6.25 ms)
    expect(at).toHaveLength(1);
    expect(at[0]).toBeCloseTo((7 * 10_000) / 9600 + 10 + (6 * 10_000) / 9600, 6);
    expect(ndir.sample()?.ch4PctVol).toBe(0.5);
  });

  it("warm-up is ChipStatus; a warm-up after normal running is a Reset", () => {
    const { clock, model, Serial } = rig(() => 0.8, false);
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    clock.advance(1000);
    expect(ndir.sample()).toBeUndefined(); // 0x8001 and the warm-up bit
    expect(ndir.fault).toBe(SensorFault.ChipStatus);
    expect(ndir.statusFlags & MipexFlag.WarmingUp).toBe(MipexFlag.WarmingUp);
    clock.runUntil(MIPEX_WARMUP_MS + 500);
    expect(ndir.sample()).toBeUndefined(); // its reply left before 120 s: warm-up bit still set
    expect(ndir.fault).toBe(SensorFault.ChipStatus);
    clock.advance(1000);
    expect(ndir.sample()?.ch4PctVol).toBe(0.8);

    model.powerGlitch();
    clock.advance(1000);
    expect(ndir.sample()).toBeUndefined();
    expect(ndir.fault).toBe(SensorFault.Reset);
    expect(ndir.resets).toBe(1);
    clock.advance(1000);
    expect(ndir.sample()).toBeUndefined();
    expect(ndir.fault).toBe(SensorFault.ChipStatus);
  });

  it("every injected fault becomes the right sensor fault, and the driver recovers", () => {
    const { clock, model, Serial } = rig(() => 2.5);
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    const tick = () => {
      clock.advance(1000);
      return ndir.sample();
    };
    expect(tick()?.ch4PctVol).toBe(2.5);
    const cases: [Parameters<Mipex02Model["inject"]>[0], number][] = [
      [{ kind: "no-answer" }, SensorFault.NoAnswer],
      [{ kind: "corrupt-checksum" }, SensorFault.Checksum],
      [{ kind: "all-ff" }, SensorFault.Garbage],
      [{ kind: "stuck", byte: 0x21 }, SensorFault.Garbage],
    ];
    for (const [fault, expected] of cases) {
      model.inject(fault);
      expect(tick()).toBeUndefined();
      expect(ndir.fault).toBe(expected);
      model.inject(undefined);
      tick(); // the reply to the request sent while faulty
      expect(tick()?.ch4PctVol).toBe(2.5);
      expect(ndir.fault).toBe(SensorFault.None);
    }
    // The module's own failure bits withhold the reading; advisory bits come with it.
    model.statusBits = MipexStatus.FirmwareFailure;
    tick();
    expect(tick()).toBeUndefined();
    expect(ndir.fault).toBe(SensorFault.ChipStatus);
    model.statusBits = MipexStatus.DynamicTemperatureSlow;
    tick();
    const s = tick();
    expect(s?.ch4PctVol).toBe(2.5);
    expect(s?.statusFlags).toBe(MipexFlag.DynamicTemperatureSlow);
  });

  it("polling faster than 1 Hz is flagged by the module and passed on", () => {
    const { clock, Serial } = rig(() => 0.1);
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    clock.advance(1000);
    ndir.sample();
    clock.advance(1000);
    expect(ndir.sample()?.statusFlags).toBe(0);
    clock.advance(500); // this request goes out 500 ms after the previous one
    ndir.sample();
    clock.advance(1000);
    const s = ndir.sample();
    expect(s?.statusFlags).toBe(MipexFlag.RequestRateOver1Hz);
    expect(s?.ch4PctVol).toBe(0.1);
  });

  it("over range reads as the range top with the flag set, never as a low value", () => {
    let pct = 1;
    const { clock, Serial } = rig(() => pct);
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT }, configure: { rangePctVol: 100 } });
    clock.advance(1000);
    pct = 150; // beyond the model's 100 %vol range: the module answers 0x7FFF
    ndir.sample();
    clock.advance(1000);
    const s = ndir.sample();
    expect(s).toEqual({ ch4PctVol: 100, statusFlags: 0, overRange: true });
  });

  it('ESP32 serial formats: reads one byte at a time in "number", writes the request as one buffer in "buffer"', () => {
    // The host Serial defaults to "buffer" and refuses a write that does not match the format, as the ESP32
    // does (there a buffer written in "number" format leaves as a single 0x00 byte).
    const { clock, board } = rig(() => 0.42);
    const formats: string[] = [];
    const Base = makeSerial(board);
    const Serial = class extends Base {
      override write(value: number | ArrayBufferView | ArrayBuffer): void {
        formats.push(`write ${typeof value === "number" ? "number" : "buffer"} in ${this.format}`);
        super.write(value);
      }
      override read(count?: number): number | ArrayBuffer | undefined {
        const b = super.read(count);
        if (b !== undefined) formats.push(`read ${typeof b} in ${this.format}`);
        return b;
      }
    };
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    clock.advance(1000);
    expect(ndir.sample()?.ch4PctVol).toBe(0.42);
    expect(formats).toEqual([
      "write buffer in buffer",
      ...Array<string>(6).fill("read number in number"),
      "write buffer in buffer",
    ]);
  });

  it("nothing wired, wrong baud and bad options are reported with the offending value", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(6));
    const Serial = makeSerial(board);
    const ndir = new MIPEX02({ sensor: { io: Serial, port: 3 } });
    board.clock.advance(1000);
    expect(ndir.sample()).toBeUndefined();
    expect(ndir.fault).toBe(SensorFault.NoAnswer);
    let err: DriverError | undefined;
    try {
      new MIPEX02({ sensor: { io: Serial, port: 4, baud: 115200 } });
    } catch (e) {
      err = e as DriverError;
    }
    expect(err?.code).toBe("mipex02-baud");
    expect(err?.value).toBe(115200);
    expect(() => ndir.configure({ rangePctVol: 0 })).toThrow(/got 0/);
  });

  it("a recorded methane trace replays through module and driver to 0.01 %vol", () => {
    const prng = new Prng(11);
    const trace: number[] = [];
    let x = 0.3;
    for (let i = 0; i < 300; i++) {
      x = Math.min(5, Math.max(0, x + prng.gaussian(0, 0.05)));
      trace.push(x);
    }
    const t0 = 200_000;
    const { clock, Serial } = rig(
      (t) => trace[Math.min(trace.length - 1, Math.floor((t - t0) / 1000))] as number,
    );
    const ndir = new MIPEX02({ sensor: { io: Serial, port: PORT } });
    let worst = 0;
    for (let i = 1; i < trace.length; i++) {
      clock.runUntil(t0 + i * 1000);
      const s = ndir.sample(); // reply to the request sent one second earlier: trace point i - 1
      if (!s) throw new Error(`sample ${i}: fault ${ndir.fault}`);
      worst = Math.max(worst, Math.abs(s.ch4PctVol - (trace[i - 1] as number)));
    }
    expect(worst).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});
