import { describe, expect, it } from "vitest";
import { SimBoard } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { IoError } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";

function setup() {
  const board = new SimBoard(new VirtualClock(), new Prng(3));
  return { board, Digital: makeDigital(board) };
}

describe("host Digital (ECMA-419 embedded:io/digital)", () => {
  it("has Moddable's mode and edge constants", () => {
    const { Digital } = setup();
    expect([Digital.Input, Digital.InputPullUp, Digital.InputPullDown, Digital.InputPullUpDown]).toEqual([
      0, 1, 2, 3,
    ]);
    expect([Digital.Output, Digital.OutputOpenDrain, Digital.Rising, Digital.Falling]).toEqual([8, 9, 1, 2]);
  });

  it("an output drives the board pin; an input reads it", () => {
    const { board, Digital } = setup();
    const led = new Digital({ pin: 2, mode: Digital.Output });
    led.write(1);
    expect(board.pin(2).level).toBe(1);
    const sense = new Digital({ pin: 7, mode: Digital.Input });
    board.pin(7).drive(1);
    expect(sense.read()).toBe(1);
    expect(() => sense.write(1)).toThrow(/input; write refused/);
    expect(() => led.write(2)).toThrow(IoError);
  });

  it("onReadable runs on the virtual clock after the edge, with this = the instance; edges coalesce", () => {
    const { board, Digital } = setup();
    const seen: [number, unknown][] = [];
    const pin = new Digital({
      pin: 4,
      mode: Digital.Input,
      edge: Digital.Rising,
      onReadable() {
        seen.push([board.clock.now(), this]);
      },
    });
    board.clock.advance(3);
    board.pin(4).drive(1);
    expect(seen).toEqual([]); // not re-entrant: delivered from the event loop
    board.pin(4).drive(0); // falling: not subscribed
    board.pin(4).drive(1); // second rising edge while the first is pending: one callback
    board.clock.advance(0);
    expect(seen).toEqual([[3, pin]]);
    board.pin(4).drive(0);
    board.clock.advance(1);
    expect(seen).toHaveLength(1);
    board.pin(4).drive(1);
    board.clock.advance(1);
    expect(seen.map((s) => s[0])).toEqual([3, 4]);
  });

  it("Falling and Rising|Falling edges", () => {
    const { board, Digital } = setup();
    const falls: number[] = [];
    const both: number[] = [];
    new Digital({
      pin: 1,
      mode: Digital.InputPullUp,
      edge: Digital.Falling,
      onReadable: () => falls.push(board.pin(1).level),
    });
    new Digital({
      pin: 8,
      mode: Digital.Input,
      edge: Digital.Rising | Digital.Falling,
      onReadable: () => both.push(board.clock.now()),
    });
    board.pin(1).drive(1);
    board.clock.advance(1);
    board.pin(1).drive(0);
    board.clock.advance(1);
    expect(falls).toEqual([0]);
    board.pin(8).drive(1);
    board.clock.advance(1);
    board.pin(8).drive(0);
    board.clock.advance(1);
    expect(both).toEqual([2, 3]);
  });

  it("close() cancels a pending callback and frees the pin", () => {
    const { board, Digital } = setup();
    let calls = 0;
    const d = new Digital({ pin: 4, mode: Digital.Input, edge: Digital.Rising, onReadable: () => calls++ });
    expect(() => new Digital({ pin: 4, mode: Digital.Input })).toThrow(/pin 4 is already in use/);
    board.pin(4).drive(1);
    d.close();
    board.clock.advance(1);
    expect(calls).toBe(0);
    expect(() => d.read()).toThrow(/closed/);
    new Digital({ pin: 4, mode: Digital.Output }).close();
  });

  it.each([
    [{ pin: -1, mode: 0 }, "bad-option", -1],
    [{ pin: 1, mode: 5 }, "bad-mode", 5],
    [{ pin: 1, mode: 0, edge: 4 }, "bad-option", 4],
    [{ pin: 1, mode: 0, onReadable: () => {} }, "bad-option", 0],
    [{ pin: 1, mode: 8, edge: 1, onReadable: () => {} }, "bad-option", 1],
  ])("rejects %j with a code and the value", (bad, code, value) => {
    const { Digital } = setup();
    try {
      new Digital(bad);
      expect.unreachable();
    } catch (e) {
      expect((e as IoError).code).toBe(code);
      expect((e as IoError).value).toBe(value);
    }
  });
});
