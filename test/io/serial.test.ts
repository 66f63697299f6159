import { describe, expect, it } from "vitest";
import { type SerialLine, type SerialPeer, SimBoard } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeSerial, RX_BUFFER_BYTES, TX_BUFFER_BYTES } from "../../host-sim/io/serial.js";
import { Prng } from "../../host-sim/prng.js";

/** A peer that records what it receives (with the virtual time) and can send. */
class EchoPeer implements SerialPeer {
  line: SerialLine | undefined;
  received: [number, number[]][] = [];
  disconnected = false;
  constructor(readonly clock: VirtualClock) {}
  connect(line: SerialLine): void {
    this.line = line;
  }
  receive(bytes: Uint8Array): void {
    this.received.push([this.clock.now(), Array.from(bytes)]);
  }
  disconnect(): void {
    this.disconnected = true;
  }
}

function rig() {
  const clock = new VirtualClock();
  const board = new SimBoard(clock, new Prng(1));
  const peer = new EchoPeer(clock);
  board.attachSerial(2, peer);
  return { clock, board, peer, Serial: makeSerial(board) };
}

describe("host Serial (ECMA-419) on the virtual clock", () => {
  it("transmit is paced at 10 bit times per byte and reported by onWritable", () => {
    const { clock, peer, Serial } = rig();
    const writable: [number, number][] = [];
    const s = new Serial({
      baud: 9600,
      port: 2,
      onWritable(count) {
        writable.push([clock.now(), count]);
      },
    });
    expect(peer.line?.baud).toBe(9600);
    s.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    s.format = "number";
    s.write(0x55);
    clock.advance(100);
    expect(peer.received[0]?.[0]).toBeCloseTo((9 * 10 * 1000) / 9600, 9);
    expect(peer.received[0]?.[1]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peer.received[1]?.[0]).toBeCloseTo((10 * 10 * 1000) / 9600, 9);
    expect(peer.received[1]?.[1]).toEqual([0x55]);
    expect(writable.at(-1)?.[1]).toBe(TX_BUFFER_BYTES);
  });

  it("received bytes arrive at the baud rate, in FIFO-threshold pieces, through onReadable", () => {
    const { clock, peer, Serial } = rig();
    const events: [number, number][] = [];
    const got: number[] = [];
    new Serial({
      baud: 115200,
      port: 2,
      format: "number",
      onReadable(count) {
        events.push([clock.now(), count]);
        for (let b = this.read(); b !== undefined; b = this.read()) got.push(b as number);
      },
    });
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    peer.line?.send(data);
    clock.advance(100);
    const byteMs = 10_000 / 115200;
    expect(events.map(([, c]) => c)).toEqual([120, 120, 60]);
    expect(events[0]?.[0]).toBeCloseTo(120 * byteMs, 9);
    expect(events[2]?.[0]).toBeCloseTo(300 * byteMs, 9);
    expect(got).toEqual(Array.from(data));
  });

  it("the FIFOs are the ESP32's 128 bytes: a 129-byte write throws, unread input beyond 128 is dropped", () => {
    const { clock, peer, Serial } = rig();
    expect([TX_BUFFER_BYTES, RX_BUFFER_BYTES]).toEqual([128, 128]);
    const s = new Serial({ baud: 9600, port: 2 });
    expect(() => s.write(new Uint8Array(129))).toThrow(/129 bytes exceeds the 128 bytes free/);
    s.write(new Uint8Array(128));
    peer.line?.send(new Uint8Array(200).fill(7));
    clock.advance(1000);
    expect(s.droppedBytes).toBe(72);
    expect((s.read() as ArrayBuffer).byteLength).toBe(128);
  });

  it("format buffer reads everything or at most n bytes", () => {
    const { clock, peer, Serial } = rig();
    const s = new Serial({ baud: 9600, port: 2, format: "buffer" });
    peer.line?.send(Uint8Array.of(10, 20, 30, 40));
    expect(s.read()).toBeUndefined(); // nothing has arrived at t = 0
    clock.advance(10);
    expect(Array.from(new Uint8Array(s.read(3) as ArrayBuffer))).toEqual([10, 20, 30]);
    expect(Array.from(new Uint8Array(s.read() as ArrayBuffer))).toEqual([40]);
  });

  it("an unread RX buffer drops the excess and counts it; TX overflow throws with the sizes", () => {
    const { clock, peer, Serial } = rig();
    const s = new Serial({ baud: 921600, port: 2 });
    peer.line?.send(new Uint8Array(RX_BUFFER_BYTES + 10));
    clock.advance(1000);
    expect(s.droppedBytes).toBe(10);
    s.write(new Uint8Array(TX_BUFFER_BYTES));
    expect(() => s.write(Uint8Array.of(1))).toThrow(/1 bytes exceeds the 0 bytes free/);
  });

  it("close disconnects the peer, drops pending deliveries and refuses further use", () => {
    const { clock, peer, Serial } = rig();
    let readable = 0;
    const s = new Serial({
      baud: 9600,
      port: 2,
      onReadable() {
        readable++;
      },
    });
    peer.line?.send(Uint8Array.of(1, 2));
    s.close();
    clock.advance(100);
    expect(readable).toBe(0);
    expect(peer.disconnected).toBe(true);
    expect(() => s.read()).toThrow(/closed/);
  });

  it("a port with nothing wired accepts writes and never answers", () => {
    const { clock, Serial } = rig();
    let readable = 0;
    const s = new Serial({
      baud: 9600,
      port: 5,
      onReadable() {
        readable++;
      },
    });
    s.write(Uint8Array.of(1, 2, 3));
    clock.advance(1000);
    expect(readable).toBe(0);
  });

  it("bad options name the offending value", () => {
    const { Serial } = rig();
    expect(() => new Serial({ baud: 0, port: 2 })).toThrow(/baud must be an integer > 0, got 0/);
    expect(() => new Serial({ baud: 9600, port: -1 })).toThrow(/port must be an integer >= 0, got -1/);
    expect(() => new Serial({ baud: 9600, port: 2, format: "text" as "buffer" })).toThrow(/got text/);
    const s = new Serial({ baud: 9600, port: 2, format: "number" });
    expect(() => s.write(300)).toThrow(/byte 0..255, got 300/);
  });

  it('defaults to format "buffer" as the ESP32 does (Moddable modules/io/serial/esp32)', () => {
    const { clock, peer, Serial } = rig();
    const s = new Serial({ baud: 9600, port: 2 });
    expect(s.format).toBe("buffer");
    peer.line?.send(Uint8Array.of(7, 8, 9));
    clock.advance(10);
    const got = s.read();
    expect(got).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Uint8Array(got as ArrayBuffer))).toEqual([7, 8, 9]);
    expect(s.read()).toBeUndefined();
    expect(() => s.read(0)).toThrow(/read count must be an integer >= 1, got 0/);
  });

  it("a write must match the format: a buffer in number format or a number in buffer format throws", () => {
    const { clock, peer, Serial } = rig();
    const s = new Serial({ baud: 9600, port: 2 });
    // On the ESP32 this throws (the value is not a buffer).
    expect(() => s.write(0x41)).toThrow(/format "buffer" writes an ArrayBuffer or a view, got the number 65/);
    s.format = "number";
    // On the ESP32 this sends one 0x00 byte (the buffer converted to an integer): refused here, naming why.
    expect(() => s.write(Uint8Array.of(1, 2))).toThrow(
      /format "number" writes one byte, got a buffer; set format "buffer".*one 0x00 byte/,
    );
    s.write(0x41);
    s.format = "buffer";
    s.write(Uint8Array.of(0x42, 0x43));
    clock.advance(100);
    expect(peer.received.map(([, b]) => b)).toEqual([[0x41], [0x42, 0x43]]);
  });
});
