import { describe, expect, it } from "vitest";
import { SimBoard, type SPITarget } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { IoError, makeSPI, SpiProbe } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";

/** A shift-register chip: answers each byte with the previous MOSI byte; logs select/deselect. */
class Echo implements SPITarget {
  log: string[] = [];
  #last = 0x42;
  select(): void {
    this.log.push("select");
  }
  transfer(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      data[i] = this.#last;
      this.#last = b;
    }
    this.log.push(`transfer ${data.length}`);
  }
  deselect(): void {
    this.log.push("deselect");
  }
}

function setup() {
  const board = new SimBoard(new VirtualClock(), new Prng(7));
  const chip = new Echo();
  board.attachSPI(1, 5, chip);
  const SPI = makeSPI(board);
  return { board, chip, SPI };
}

const OPTS = { port: 1, clock: 18, in: 19, out: 23, hz: 1_000_000 };

describe("host SPI (ECMA-419 embedded:io/spi)", () => {
  it("transfer exchanges bytes in place; select stays active until flush(true)", () => {
    const { board, chip, SPI } = setup();
    const spi = new SPI({ ...OPTS, select: 5 });
    expect(board.pin(5).level).toBe(1); // inactive (active low by default)
    const a = Uint8Array.of(1, 2, 3);
    spi.transfer(a);
    expect(board.pin(5).level).toBe(0);
    expect(Array.from(a)).toEqual([0x42, 1, 2]);
    spi.transfer(a); // same transaction
    spi.flush(true);
    expect(board.pin(5).level).toBe(1);
    expect(chip.log).toEqual(["select", "transfer 3", "transfer 3", "deselect"]);
    spi.flush(true); // already deselected: no second deselect
    expect(chip.log.filter((l) => l === "deselect")).toHaveLength(1);
  });

  it("write keeps the caller's bytes; read sends zeros and returns MISO", () => {
    const { SPI } = setup();
    const spi = new SPI({ ...OPTS, select: 5, active: 1 });
    const out = Uint8Array.of(9, 8, 7);
    spi.write(out);
    expect(Array.from(out)).toEqual([9, 8, 7]);
    expect(Array.from(new Uint8Array(spi.read(2)))).toEqual([7, 0]);
    const into = new Uint8Array(3).fill(0xee);
    expect(spi.read(into)).toBe(3);
    expect(Array.from(into)).toEqual([0, 0, 0]);
    spi.write(new Uint16Array([0x0102]).buffer); // ArrayBuffer argument
    spi.close();
  });

  it("with no chip at the select pin MISO floats high (0xFF)", () => {
    const { SPI } = setup();
    const spi = new SPI({ ...OPTS, select: 6 });
    const b = Uint8Array.of(1, 2);
    spi.transfer(b);
    expect(Array.from(b)).toEqual([0xff, 0xff]);
  });

  it("a select pin in use is refused until closed; a closed instance refuses IO", () => {
    const { SPI } = setup();
    const a = new SPI({ ...OPTS, select: 5 });
    expect(() => new SPI({ ...OPTS, select: 5 })).toThrow(/pin 5 is already in use/);
    a.close();
    expect(() => a.transfer(new Uint8Array(1))).toThrow(IoError);
    new SPI({ ...OPTS, select: 5 }).close();
  });

  it.each([
    [{ hz: 0 }, "bad-option", 0],
    [{ hz: Number.NaN }, "bad-option", Number.NaN],
    [{ mode: 4 }, "bad-option", 4],
    [{ active: 2 }, "bad-option", 2],
    [{ select: -1 }, "bad-option", -1],
    [{ in: undefined, out: undefined }, "bad-option", undefined],
  ])("rejects %j with a code and the value", (bad, code, value) => {
    const { SPI } = setup();
    try {
      new SPI({ ...OPTS, select: 5, ...bad } as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IoError);
      expect((e as IoError).code).toBe(code);
      expect((e as IoError).value).toEqual(value);
    }
  });

  it("port as on the ESP32: 1 or 2 open; 0 (the flash bus), 3, a missing port and -1 are RangeErrors naming it", () => {
    const { SPI } = setup();
    new SPI({ ...OPTS, port: 1, select: 5 }).close();
    new SPI({ ...OPTS, port: 2, select: 5 }).close();
    expect(() => new SPI({ ...OPTS, port: 0, select: 5 })).toThrow(RangeError);
    expect(() => new SPI({ ...OPTS, port: 0, select: 5 })).toThrow(
      /^SPI: port 0 is SPI1_HOST, the ESP32's flash bus.*use port 1 \(SPI2_HOST\) or 2 \(SPI3_HOST\)$/,
    );
    expect(() => new SPI({ ...OPTS, port: 3, select: 5 })).toThrow(
      /^SPI: port 3 is not an SPI controller: the ESP32 has port 1 \(SPI2_HOST\) and 2 \(SPI3_HOST\)$/,
    );
    expect(() => new SPI({ ...OPTS, port: -1, select: 5 })).toThrow(/port -1 is not an SPI controller/);
    expect(() => new SPI({ ...OPTS, port: 1.5, select: 5 })).toThrow(/port 1.5 is not an SPI controller/);
    const { port: _, ...noPort } = OPTS;
    expect(() => new SPI({ ...noPort, select: 5 } as never)).toThrow(/^SPI: port is missing: the ESP32 has/);
    // A refused port claims nothing: the select pin is still free.
    new SPI({ ...OPTS, select: 5 }).close();
  });

  it("SpiProbe records MOSI and MISO per chip-select window and passes bytes through", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(7));
    const probe = new SpiProbe(new Echo());
    board.attachSPI(2, 3, probe);
    const spi = new (makeSPI(board))({ ...OPTS, port: 2, select: 3 });
    spi.transfer(Uint8Array.of(0xa1, 0xa2));
    spi.transfer(Uint8Array.of(0xa3));
    spi.flush(true);
    spi.write(Uint8Array.of(0xb1));
    spi.flush(true);
    expect(probe.transactions).toEqual([
      { mosi: [0xa1, 0xa2, 0xa3], miso: [0x42, 0xa1, 0xa2] },
      { mosi: [0xb1], miso: [0xa3] },
    ]);
  });
});
