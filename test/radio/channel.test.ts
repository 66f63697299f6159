import { describe, expect, it } from "vitest";
import { Prng } from "../../host-sim/prng.js";
import { lorawanUplinkAirtimeMs } from "../../host-sim/radio/airtime.js";
import {
  type LinkSpec,
  LoRaChannel,
  RadioError,
  type RadioTx,
  sensitivityDbm,
} from "../../host-sim/radio/channel.js";
import { Gateway } from "../../host-sim/radio/gateway.js";
import { EU868 } from "../../protocol/lorawan-regions.js";

const GW1 = "00800000a0000001";
const GW2 = "00800000a0000002";
const F1 = 868_100_000;
const F2 = 868_300_000;
const BW = 125_000;

function makeChannel(
  links: Record<string, Record<string, LinkSpec>>,
  opts: { seed?: number; lossRate?: number; gateways?: string[]; shadowingSdDb?: number } = {},
) {
  const gateways = (opts.gateways ?? [GW1]).map((id) => new Gateway({ id, region: EU868 }));
  const channel = new LoRaChannel({
    region: EU868,
    prng: new Prng(opts.seed ?? 1),
    gateways,
    links,
    lossRate: opts.lossRate ?? 0,
    shadowingSdDb: opts.shadowingSdDb ?? 0,
  });
  return { channel, gateways };
}

const tx = (nodeId: string, startMs: number, extra: Partial<Parameters<LoRaChannel["begin"]>[0]> = {}) => ({
  nodeId,
  startMs,
  airtimeMs: 100,
  frequencyHz: F1,
  sf: 7,
  bandwidthHz: BW,
  ...extra,
});

describe("LoRa channel: link budget", () => {
  it("sensitivity = -174 + 10 log10(BW) + NF 6 + SNR limit: -124.5 dBm at SF7, -137 dBm at SF12", () => {
    expect(sensitivityDbm(7, BW)).toBeCloseTo(-124.5, 0);
    expect(sensitivityDbm(12, BW)).toBeCloseTo(-137.0, 0);
    expect(sensitivityDbm(12, BW) - sensitivityDbm(11, BW)).toBeCloseTo(-2.5, 6);
  });

  it("computes RSSI with the log-distance model (n = 1.25, FSPL at 1 m) from 14 dBm", () => {
    const { channel } = makeChannel({ a: { [GW1]: { distanceM: 100, extraLossDb: 3 } } });
    const t = channel.begin(tx("a", 0));
    const r = channel.resolve(t);
    const fspl1m = 20 * Math.log10(F1) - 147.55;
    expect(r.receptions[0]!.rssiDbm).toBeCloseTo(14 - fspl1m - 12.5 * 2 - 3, 1);
    expect(r.delivered).toBe(true);
  });

  it("a -130 dBm link is below SF7's sensitivity but heard at SF12", () => {
    const { channel } = makeChannel({ a: { [GW1]: { rssiDbm: -130 } } });
    const lo = channel.resolve(channel.begin(tx("a", 0, { sf: 7 })));
    const hi = channel.resolve(channel.begin(tx("a", 10_000, { sf: 12, airtimeMs: 1500 })));
    expect(lo).toMatchObject({ delivered: false, lostBy: "below-sensitivity" });
    expect(hi.delivered).toBe(true);
    expect(hi.receptions[0]!.snrDb).toBeCloseTo(-130 - (-174 + 10 * Math.log10(BW) + 6), 1);
  });

  it("a node with no link to a gateway never reaches it", () => {
    const { channel } = makeChannel({ a: { [GW1]: { rssiDbm: -80 } } }, { gateways: [GW1, GW2] });
    const r = channel.resolve(channel.begin(tx("a", 0)));
    expect(r.receptions.map((x) => x.outcome)).toEqual(["ok", "no-link"]);
  });
});

describe("LoRa channel: collisions and capture (6 dB)", () => {
  const links = (ra: number, rb: number) => ({
    a: { [GW1]: { rssiDbm: ra } },
    b: { [GW1]: { rssiDbm: rb } },
  });

  function pair(ra: number, rb: number, b: Partial<Parameters<LoRaChannel["begin"]>[0]> = {}) {
    const { channel } = makeChannel(links(ra, rb));
    const ta = channel.begin(tx("a", 0));
    const tb = channel.begin(tx("b", 50, b));
    return [channel.resolve(ta), channel.resolve(tb), channel] as const;
  }

  it("equal power, same channel and SF, overlapping: both lost", () => {
    const [a, b, channel] = pair(-90, -90);
    expect([a.delivered, b.delivered]).toEqual([false, false]);
    expect(a.lostBy).toBe("collision");
    expect(channel.stats.lostBy.collision).toBe(2);
  });

  it("3 dB apart: both lost; 10 dB apart: the stronger is captured, the weaker lost", () => {
    const [a3, b3] = pair(-87, -90);
    expect([a3.delivered, b3.delivered]).toEqual([false, false]);
    const [a10, b10] = pair(-80, -90);
    expect([a10.delivered, b10.delivered]).toEqual([true, false]);
  });

  it("interferers add up: 7 dB above each of two equal interferers is 4 dB above their sum", () => {
    const { channel } = makeChannel({
      a: { [GW1]: { rssiDbm: -83 } },
      b: { [GW1]: { rssiDbm: -90 } },
      c: { [GW1]: { rssiDbm: -90 } },
    });
    const ta = channel.begin(tx("a", 0));
    channel.begin(tx("b", 10));
    channel.begin(tx("c", 20));
    expect(channel.resolve(ta).delivered).toBe(false);
  });

  it("different SF, different frequency or no overlap (back to back): no collision", () => {
    expect(pair(-90, -90, { sf: 8 })[0].delivered).toBe(true);
    expect(pair(-90, -90, { frequencyHz: F2 })[0].delivered).toBe(true);
    expect(pair(-90, -90, { startMs: 100 })[0].delivered).toBe(true);
  });

  it("two gateways: lost at one in a collision, captured at the other, so delivered once", () => {
    const { channel } = makeChannel(
      {
        a: { [GW1]: { rssiDbm: -90 }, [GW2]: { rssiDbm: -70 } },
        b: { [GW1]: { rssiDbm: -90 }, [GW2]: { rssiDbm: -95 } },
      },
      { gateways: [GW1, GW2] },
    );
    const ta = channel.begin(tx("a", 0));
    channel.begin(tx("b", 30));
    const r = channel.resolve(ta);
    expect(r.delivered).toBe(true);
    expect(r.receptions.map((x) => x.outcome)).toEqual(["collision", "ok"]);
  });

  it("pure ALOHA at offered load G = 0.25: success ratio matches e^(-2G) (equal powers, seeded)", () => {
    const n = 40;
    const links: Record<string, Record<string, LinkSpec>> = {};
    for (let i = 0; i < n; i++) links[`n${i}`] = { [GW1]: { rssiDbm: -90 } };
    const { channel } = makeChannel(links);
    const prng = new Prng(7);
    const airtimeMs = 100;
    const count = 6000;
    const spanMs = (count * airtimeMs) / 0.25;
    const starts = Array.from({ length: count }, () => prng.next() * spanMs).sort((a, b) => a - b);
    const txs: RadioTx[] = starts.map((s, i) => channel.begin(tx(`n${i % n}`, s, { airtimeMs })));
    const ok = txs.filter((t) => channel.resolve(t).delivered).length / count;
    // Standard error sqrt(p(1-p)/N) ~ 0.0063; allow 4 of them.
    expect(Math.abs(ok - Math.exp(-0.5))).toBeLessThan(0.025);
  });
});

describe("LoRa channel: loss rate, gateways, duty cycle", () => {
  it("30 % loss rate: the lost share matches, the same seed gives the same losses, another seed others", () => {
    const run = (seed: number) => {
      const { channel } = makeChannel({ a: { [GW1]: { rssiDbm: -80 } } }, { seed, lossRate: 0.3 });
      const out: boolean[] = [];
      for (let i = 0; i < 10_000; i++) out.push(channel.resolve(channel.begin(tx("a", i * 1000))).delivered);
      return { out, channel };
    };
    const a = run(42);
    const lost = a.out.filter((d) => !d).length / a.out.length;
    expect(Math.abs(lost - 0.3)).toBeLessThan(0.02);
    expect(a.channel.stats.lostBy["random-loss"]).toBe(a.out.filter((d) => !d).length);
    expect(run(42).out).toEqual(a.out);
    expect(run(43).out).not.toEqual(a.out);
  });

  it("a gateway down loses what it would have heard; up again, it hears", () => {
    const { channel, gateways } = makeChannel({ a: { [GW1]: { rssiDbm: -80 } } });
    gateways[0]!.setUp(false);
    expect(channel.resolve(channel.begin(tx("a", 0))).lostBy).toBe("gateway-down");
    gateways[0]!.setUp(true);
    expect(channel.resolve(channel.begin(tx("a", 1000))).delivered).toBe(true);
    expect(gateways[0]!.counters).toMatchObject({ rxPacketsReceived: 1, rxPacketsReceivedOk: 1 });
  });

  it("half-duplex: an uplink during the gateway's own downlink is lost there", () => {
    const { channel, gateways } = makeChannel({
      a: { [GW1]: { rssiDbm: -80 } },
      b: { [GW1]: { rssiDbm: -80 } },
    });
    const d = channel.downlink(gateways[0]!, "a", 1000, 60, F1, 7, BW);
    expect(d).toMatchObject({ sent: "sent", delivered: true });
    expect(channel.resolve(channel.begin(tx("b", 1030))).lostBy).toBe("gateway-transmitting");
  });

  it("the gateway's 1 % sub-band refuses a second downlink inside its off-time", () => {
    const { channel, gateways } = makeChannel({ a: { [GW1]: { rssiDbm: -80 } } });
    const g = gateways[0]!;
    expect(channel.downlink(g, "a", 0, 100, F1, 7, BW).sent).toBe("sent");
    // Off-time after 100 ms at 1 %: 9.9 s (ETSI EN 300 220-2 4.3.3).
    expect(channel.downlink(g, "a", 5000, 100, F1, 7, BW).sent).toBe("duty-cycle");
    expect(channel.downlink(g, "a", 10_001, 100, F1, 7, BW).sent).toBe("sent");
    expect(g.counters).toMatchObject({ txPacketsEmitted: 2, txRefusedDutyCycle: 1 });
  });

  it("accounts each node's airtime per sub-band and flags a transmission inside the off-time", () => {
    const { channel } = makeChannel({ a: { [GW1]: { rssiDbm: -80 } } });
    const airtimeMs = lorawanUplinkAirtimeMs(EU868, 0, 11);
    channel.begin(tx("a", 0, { airtimeMs, sf: 12 }));
    channel.begin(tx("a", airtimeMs * 100 + 1, { airtimeMs, sf: 12 }));
    channel.begin(tx("a", airtimeMs * 150, { airtimeMs, sf: 12 }));
    const [report] = channel.dutyCycleReport();
    expect(report).toMatchObject({ nodeId: "a", transmissions: 3, violations: 1 });
    expect(report!.airtimeBySubBandMs[2]).toBeCloseTo(3 * airtimeMs, 6);
  });

  it("bad options name the offending value", () => {
    expect(() => makeChannel({ a: { nope: { rssiDbm: -80 } } })).toThrow(/no such gateway/);
    try {
      makeChannel({ a: { [GW1]: { distanceM: -5 } } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RadioError);
      expect((e as RadioError).code).toBe("bad-link");
      expect((e as RadioError).value).toBe(-5);
    }
    const { channel } = makeChannel({});
    expect(() => channel.setLossRate(1.5)).toThrow(/loss rate must be in 0..1, got 1.5/);
    expect(() => channel.begin(tx("a", 0, { sf: 13 }))).toThrow(/spreading factor must be 6..12, got 13/);
    expect(() => new Gateway({ id: "GW1", region: EU868 })).toThrow(/16 lowercase hex/);
  });
});
