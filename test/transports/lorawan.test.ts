/**
 * The LoRaWAN transport end to end: firmware transport + LoRa-E5 driver -> host ECMA-419 Serial (9600 baud,
 * paced on the virtual clock) -> LoRa-E5 model at its UART -> network sink. Every run is seeded.
 */
import { describe, expect, it } from "vitest";
import {
  LoRaWanError,
  LoRaWanTransport,
  type LoRaWanTransportOptions,
} from "../../firmware/node/transports/lorawan.js";
import { SimBoard } from "../../host-sim/board.js";
import { LoraE5Model, type LoraE5ModelOptions, type LoraE5Uplink } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeSerial } from "../../host-sim/io/serial.js";
import { Prng } from "../../host-sim/prng.js";
import { lorawanUplinkAirtimeMs } from "../../host-sim/radio/airtime.js";
import { EU868 } from "../../protocol/lorawan-regions.js";
import { FrameType } from "../../protocol/schema.js";

const PORT = 1;

function rig(
  transport: Partial<LoRaWanTransportOptions> = {},
  model: Partial<LoraE5ModelOptions> = {},
  seed = 7,
) {
  const clock = new VirtualClock();
  const board = new SimBoard(clock, new Prng(seed));
  const uplinks: LoraE5Uplink[] = [];
  const modem = new LoraE5Model(board, {
    port: PORT,
    network: (u) => {
      uplinks.push(u);
      return undefined;
    },
    ...model,
  });
  const events: [string, number, number][] = [];
  const downlinks: [number, number[]][] = [];
  const random = new Prng(seed + 1);
  const t = new LoRaWanTransport({
    serial: { io: makeSerial(board), port: PORT },
    clock,
    random: () => random.next(),
    region: "EU868",
    dataRate: 5,
    onAck: (tag) => events.push(["ack", tag, clock.now()]),
    onSent: (tag) => events.push(["sent", tag, clock.now()]),
    onFailed: (tag, reason, value) => events.push([`failed:${reason}`, tag, value]),
    onDownlink: (port, bytes) => downlinks.push([port, Array.from(bytes)]),
    ...transport,
  });
  return { clock, board, modem, uplinks, events, downlinks, t };
}

const frame = (n: number, fill = 0xa5) => new Uint8Array(n).fill(fill);
const seconds = (s: number) => s * 1000;

describe("LoRaWAN transport over the LoRa-E5 model", () => {
  it("configures the modem, joins, and an alarm goes confirmed and is acknowledged", () => {
    const { clock, modem, uplinks, events, t } = rig();
    t.start();
    clock.advance(seconds(10));
    expect(t.joined).toBe(true);
    expect(modem.commands).toEqual([
      "AT",
      "AT+MODE=LWOTAA",
      "AT+DR=EU868",
      "AT+DR=DR5",
      "AT+ADR=OFF",
      "AT+PORT=10",
      "AT+RETRY=4",
      "AT+JOIN",
    ]);
    const alarm = Uint8Array.of(0x22, 0x85, 0x00, 0x02, 0x19, 0x01, 0x2c);
    expect(t.send(FrameType.Alarm, alarm, 41)).toBe(true);
    clock.advance(seconds(10));
    expect(modem.commands.at(-1)).toBe('AT+CMSGHEX="228500021901 2C"'.replace(" ", ""));
    expect(uplinks).toHaveLength(1);
    expect(uplinks[0]).toMatchObject({ confirmed: true, fPort: 10, dr: 5, trial: 1 });
    expect(Array.from(uplinks[0]!.bytes)).toEqual(Array.from(alarm));
    expect(events).toEqual([["ack", 41, expect.any(Number)]]);
    expect(t.stats).toMatchObject({ joins: 1, acked: 1, uplinks: 1 });
    expect(t.queued).toBe(0);
    expect(modem.ledger.violations()).toEqual([]);
  });

  it("a failed join is retried with backoff until it succeeds", () => {
    const { clock, modem, t } = rig({ joinBackoff: { initialMs: 10_000, maxMs: 60_000 } });
    modem.failNextJoins(2);
    const joinedAt: number[] = [];
    t.start();
    for (let i = 0; i < 120 && !t.joined; i++) clock.advance(500);
    joinedAt.push(clock.now());
    expect(t.joined).toBe(true);
    expect(t.stats.joinAttempts).toBe(3);
    const joins = modem.transcript.filter(([, l]) => l === "+JOIN: Start").map(([at]) => at);
    expect(joins).toHaveLength(3);
    // Equal jitter: the n-th retry waits in [d/2, d) with d = 10 s * 2^n, after the failure's "Done".
    const fails = modem.transcript.filter(([, l]) => l === "+JOIN: Join failed").map(([at]) => at);
    expect(joins[1]! - fails[0]!).toBeGreaterThanOrEqual(5000);
    expect(joins[1]! - fails[0]!).toBeLessThan(10_000 + 100);
    expect(joins[2]! - fails[1]!).toBeGreaterThanOrEqual(10_000);
    expect(joins[2]! - fails[1]!).toBeLessThan(20_000 + 100);
  });

  it("at DR0 a failed join-request closes the band and the retry waits for it (no violation)", () => {
    const { clock, modem, t } = rig({ dataRate: 0, joinBackoff: { initialMs: 1000, maxMs: 2000 } });
    modem.failNextJoins(2);
    t.start();
    clock.advance(seconds(600));
    expect(t.joined).toBe(true);
    expect(t.stats.joinAttempts).toBe(3);
    expect(t.stats.timeouts).toBe(0);
    const requests = modem.ledger.transmissions;
    expect(requests).toHaveLength(3);
    expect(requests[1]!.startMs - requests[0]!.startMs).toBeGreaterThanOrEqual(requests[0]!.airtimeMs / 0.01);
    expect(modem.ledger.violations()).toEqual([]);
  });

  it("a confirmed uplink with no ACK after NbTrials is handed back as no-ack", () => {
    const { clock, modem, uplinks, events, t } = rig(
      { confirmedTrials: 3, dataRate: 5 },
      {
        network: (u) => {
          uplinks.push(u);
          return { ack: false };
        },
      },
    );
    t.start();
    clock.advance(seconds(10));
    t.send(FrameType.Alarm, frame(11), 7);
    clock.advance(seconds(60));
    expect(uplinks.map((u) => u.trial)).toEqual([1, 2, 3]);
    expect(new Set(uplinks.map((u) => u.fCnt)).size).toBe(1); // retransmissions keep the frame counter
    expect(events).toEqual([["failed:no-ack", 7, 3]]);
    expect(t.stats.noAck).toBe(1);
    expect(modem.ledger.violations()).toEqual([]);
  });

  it("an unconfirmed uplink reports sent, and a queued downlink arrives in RX1 with its port", () => {
    const { clock, modem, events, downlinks, t } = rig();
    t.start();
    clock.advance(seconds(10));
    modem.queueDownlink(10, Uint8Array.of(0x29, 0x82, 0x01, 0x02));
    t.send(FrameType.Telemetry, frame(20), 3);
    clock.advance(seconds(5));
    expect(downlinks).toEqual([[10, [0x29, 0x82, 0x01, 0x02]]]);
    expect(events).toEqual([["sent", 3, expect.any(Number)]]);
    expect(modem.transcript.some(([, l]) => l.startsWith("+MSGHEX: RXWIN1, RSSI"))).toBe(true);
  });

  it("a 200-byte frame at DR5 (a 417-byte AT+MSGHEX) goes out through the ESP32's 128-byte TX FIFO whole", () => {
    // Moddable's ESP32 Serial writes the hardware FIFO and throws "output full" past its free space; the
    // host Serial now has the same 128 bytes, so the driver must feed a long command from onWritable.
    const { clock, uplinks, events, t } = rig();
    t.start();
    clock.advance(seconds(10));
    const big = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
    t.send(FrameType.Telemetry, big, 4);
    clock.advance(seconds(5));
    expect(events).toEqual([["sent", 4, expect.any(Number)]]);
    expect(Array.from(uplinks.at(-1)!.bytes)).toEqual(Array.from(big));
  });

  it("a frame over the data rate's limit is refused whole with the size and the limit", () => {
    const { clock, modem, t } = rig({ dataRate: 0 });
    t.start();
    clock.advance(seconds(10));
    expect(t.maxPayloadBytes).toBe(51);
    let err: unknown;
    try {
      t.send(FrameType.Status, frame(52), 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoRaWanError);
    expect((err as LoRaWanError).code).toBe("too-large");
    expect((err as LoRaWanError).value).toEqual({ sizeBytes: 52, limitBytes: 51, dataRate: 0 });
    expect((err as Error).message).toMatch(/52 bytes exceeds the 51-byte limit of EU868 DR0/);
    expect(t.queued).toBe(0);
    expect(t.send(FrameType.Status, frame(51), 2)).toBe(true);
    clock.advance(seconds(200)); // DR0: the join-request holds the band ~130 s
    expect(modem.commands.filter((c) => c.startsWith("AT+MSGHEX"))).toHaveLength(1);
    expect(() => t.send(FrameType.Status, new Uint8Array(0), 3)).toThrow(/non-empty Uint8Array/);
  });

  it("holds uplinks back for the sub-band's off-time, and sends alarms first when it lets go", () => {
    const { clock, modem, uplinks, events, t } = rig({ dataRate: 0 });
    t.start();
    clock.advance(seconds(15));
    expect(t.joined).toBe(true);
    // The join-request (DR0, 23 bytes) already closed the 1 % band for 100 x its airtime.
    expect(t.nextUplinkAtMs).toBeGreaterThan(seconds(100));
    clock.runUntil(t.nextUplinkAtMs);
    t.send(FrameType.Telemetry, frame(20, 1), 1);
    clock.advance(seconds(1)); // the first one is on air; the next three must wait for the band
    t.send(FrameType.Telemetry, frame(20, 2), 2);
    t.send(FrameType.Event, frame(20, 3), 3);
    t.send(FrameType.Alarm, frame(11, 4), 4);
    clock.advance(seconds(1200));
    expect(uplinks.map((u) => u.bytes[0])).toEqual([1, 4, 3, 2]);
    expect(events.map(([kind, tag]) => `${kind}${tag}`)).toEqual(["sent1", "ack4", "sent3", "sent2"]);
    const all = modem.ledger.transmissions; // [0] is the join-request
    const data = all.slice(1);
    for (let i = 1; i < all.length; i++) {
      const freeAt = all[i - 1]!.startMs + all[i - 1]!.airtimeMs / 0.01;
      expect(all[i]!.startMs).toBeGreaterThanOrEqual(freeAt);
      // Held back, not idle: the next one leaves within UART + modem latency of the end of the off-time
      // (the first data frame was sent by the test exactly when the band freed up).
      expect(all[i]!.startMs - freeAt).toBeLessThan(150);
    }
    expect(data[0]!.airtimeMs).toBeCloseTo(lorawanUplinkAirtimeMs(EU868, 0, 20), 9);
    expect(modem.ledger.violations()).toEqual([]);
    expect(t.stats.modemNoBand).toBe(0);
  });

  it("obeys the modem's own 'No band in N ms' (its accounting ahead of ours) and then sends", () => {
    const { clock, modem, uplinks, t } = rig();
    t.start();
    clock.advance(seconds(10));
    modem.ledger.record(clock.now(), 300, 868_100_000); // e.g. a transmission from before a node reboot
    t.send(FrameType.Telemetry, frame(10), 9);
    clock.advance(seconds(40));
    expect(modem.transcript.some(([, l]) => /^\+MSGHEX: No band in \d+ms$/.test(l))).toBe(true);
    expect(t.stats.modemNoBand).toBe(1);
    expect(uplinks).toHaveLength(1);
    expect(modem.ledger.violations()).toEqual([]);
  });

  it("rejoins when the modem says 'Please join network first', then delivers the frame", () => {
    const { clock, modem, uplinks, events, t } = rig();
    t.start();
    clock.advance(seconds(10));
    modem.joined = false; // the modem lost its session (e.g. it was reset)
    t.send(FrameType.Event, frame(24), 5);
    clock.advance(seconds(60));
    expect(modem.transcript.some(([, l]) => l === "+MSGHEX: Please join network first")).toBe(true);
    expect(t.stats.joins).toBe(2);
    expect(uplinks).toHaveLength(1);
    expect(events).toEqual([["sent", 5, expect.any(Number)]]);
  });

  it("the modem's 'Length error N' (it runs a slower data rate) fails the frame as too-large and lowers the limit", () => {
    const { clock, modem, events, t } = rig({ dataRate: 5 });
    t.start();
    clock.advance(seconds(10));
    modem.dataRate = 0;
    t.send(FrameType.Status, frame(60), 8);
    clock.advance(seconds(5));
    expect(events).toEqual([["failed:too-large", 8, 51]]);
    expect(t.maxPayloadBytes).toBe(51);
  });

  it("a silent modem times out; the transport keeps retrying and never claims to be joined", () => {
    const clock = new VirtualClock();
    const board = new SimBoard(clock, new Prng(1));
    const t = new LoRaWanTransport({
      serial: { io: makeSerial(board), port: 3 }, // nothing attached: no answers
      clock,
      random: () => 0.5,
      region: "RU864",
    });
    t.start();
    clock.advance(seconds(120));
    expect(t.joined).toBe(false);
    expect(t.stats.joinAttempts).toBe(0);
    expect(clock.pending).toBeGreaterThan(0); // a retry is scheduled
  });

  it("refuses bad options with the value", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(1));
    const base = { serial: { io: makeSerial(board), port: 0 }, clock: board.clock, random: () => 0 };
    expect(() => new LoRaWanTransport({ ...base, region: "US915" as "EU868" })).toThrow(/got "US915"/);
    expect(() => new LoRaWanTransport({ ...base, region: "EU868", dataRate: 7 })).toThrow(/got 7/);
    expect(() => new LoRaWanTransport({ ...base, region: "EU868", fPort: 224 })).toThrow(/fPort .* got 224/);
    expect(() => new LoRaWanTransport({ ...base, region: "EU868", confirmedTrials: 0 })).toThrow(/got 0/);
  });
});
