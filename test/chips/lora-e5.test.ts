/** The LoRa-E5 model at its UART: raw command bytes in, the module's lines out, on the virtual clock. */
import { describe, expect, it } from "vitest";
import { type SerialLine, SimBoard } from "../../host-sim/board.js";
import { LoraE5Model, type LoraE5Uplink } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { Prng } from "../../host-sim/prng.js";
import { lorawanUplinkAirtimeMs } from "../../host-sim/radio/airtime.js";
import { EU868, RU864 } from "../../protocol/lorawan-regions.js";

function rig(options: Partial<ConstructorParameters<typeof LoraE5Model>[1]> = {}, seed = 3) {
  const clock = new VirtualClock();
  const board = new SimBoard(clock, new Prng(seed));
  const uplinks: LoraE5Uplink[] = [];
  const modem = new LoraE5Model(board, {
    port: 2,
    network: (u) => {
      uplinks.push(u);
      return undefined;
    },
    ...options,
  });
  const lines: [number, string][] = [];
  let text = "";
  const line: SerialLine = {
    baud: 9600,
    send(bytes) {
      text += String.fromCharCode(...bytes);
      for (let i = text.indexOf("\r\n"); i >= 0; i = text.indexOf("\r\n")) {
        lines.push([clock.now(), text.slice(0, i)]);
        text = text.slice(i + 2);
      }
    },
  };
  modem.connect(line);
  const cmd = (s: string) => modem.receive(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  const said = () => lines.map(([, l]) => l);
  return { clock, modem, uplinks, lines, cmd, said };
}

describe("LoRa-E5 model", () => {
  it("answers settings commands, byte by byte, LF or CR LF, case-insensitive", () => {
    const { clock, cmd, said, modem } = rig();
    for (const c of "AT\r\nat+mode=lwotaa\nAT+DR=RU864\r\n") cmd(c);
    cmd("AT+DR=DR3\r\nAT+PORT=10\r\nAT+RETRY=4\r\nAT+ADR=OFF\r\n");
    clock.advance(100);
    expect(said()).toEqual([
      "+AT: OK",
      "+MODE: LWOTAA",
      "+DR: RU864",
      "+DR: DR3",
      "+DR: RU864 DR3  SF9 BW125K ",
      "+PORT: 10",
      "+RETRY: 4",
      "+ADR: OFF",
    ]);
    expect(modem.region).toBe(RU864);
    expect(modem.dataRate).toBe(3);
  });

  it("takes DevEui / AppEui / AppKey writes, answers them as the AT spec words them, and keeps them", () => {
    const { clock, cmd, said, modem } = rig();
    cmd('AT+ID=DevEui,"70B3D57ED0000001"\r\nAT+ID=AppEui,"70B3D57ED00000AA"\r\n');
    cmd('AT+KEY=APPKEY,"A0A1A2A3A4A5A6A7A8A9AAABACADAEAF"\r\nAT+ID\r\nAT+KEY=APPKEY,"A0A1"\r\n');
    clock.advance(100);
    expect(said()).toEqual([
      "+ID: DevEui, 70:B3:D5:7E:D0:00:00:01",
      "+ID: AppEui, 70:B3:D5:7E:D0:00:00:AA",
      "+KEY: APPKEY A0A1A2A3A4A5A6A7A8A9AAABACADAEAF",
      "+ID: DevAddr, 24:90:01:38",
      "+ID: DevEui, 70:B3:D5:7E:D0:00:00:01",
      "+ID: AppEui, 70:B3:D5:7E:D0:00:00:AA",
      "+KEY: ERROR(-1)",
    ]);
    expect([modem.devEui, modem.appEui, modem.appKey]).toEqual([
      "70B3D57ED0000001",
      "70B3D57ED00000AA",
      "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF",
    ]);
  });

  it("answers errors with the module's codes", () => {
    const { clock, cmd, said } = rig();
    cmd("AT+FOO\r\nAT+DR=DR9\r\nAT+DR=US433\r\nAT+PORT=0\r\nAT+MODE=XYZ\r\n");
    cmd(`AT+MSGHEX="${"A".repeat(600)}"\r\n`);
    cmd('AT+MSGHEX="ABC"\r\n');
    clock.advance(100);
    expect(said()).toEqual([
      "+FOO: ERROR(-10)",
      "+DR: ERROR(-1)",
      "+DR: ERROR(-1)",
      "+PORT: ERROR(-1)",
      "+MODE: ERROR(-1)",
      "+AT: ERROR(-21)",
      "+MSGHEX: ERROR(-1)",
    ]);
  });

  it("join: not in OTAA mode, then Start/NORMAL, the accept 5 s after the request, then 'Joined already'", () => {
    const { clock, cmd, said, lines, modem } = rig();
    cmd("AT+JOIN\r\n");
    clock.advance(10);
    expect(said()).toEqual(["+JOIN: Not in OTAA mode"]);
    cmd("AT+MODE=LWOTAA\r\nAT+JOIN\r\n");
    clock.advance(20_000);
    expect(said().slice(2)).toEqual([
      "+JOIN: Start",
      "+JOIN: NORMAL",
      "+JOIN: Network joined",
      "+JOIN: NetID 000024 DevAddr 48:00:00:01",
      "+JOIN: Done",
    ]);
    const request = modem.ledger.transmissions[0]!;
    expect(request.airtimeMs).toBeCloseTo(lorawanUplinkAirtimeMs(EU868, 0, 23 - 13), 9);
    expect(lines.find(([, l]) => l === "+JOIN: Network joined")![0]).toBeCloseTo(
      request.startMs + request.airtimeMs + 5000,
      6,
    );
    cmd("AT+JOIN\r\n");
    clock.advance(10);
    expect(said().at(-1)).toBe("+JOIN: Joined already");
  });

  it("uplinks: refusals, then a confirmed one retried NbTrials times without ACK, then the band's wait", () => {
    const { clock, cmd, said, modem, uplinks } = rig({
      network: (u) => {
        uplinks.push(u);
        return { ack: false };
      },
    });
    cmd('AT+MSGHEX="01"\r\n');
    clock.advance(10);
    expect(said().at(-1)).toBe("+MSGHEX: Please join network first");
    cmd("AT+MODE=LWOTAA\r\nAT+DR=DR5\r\nAT+RETRY=2\r\nAT+JOIN\r\n");
    clock.advance(10_000);
    cmd(`AT+MSGHEX="${"00".repeat(243)}"\r\n`);
    clock.advance(10);
    expect(said().at(-1)).toBe("+MSGHEX: Length error 242");
    cmd('AT+CMSGHEX="0102"\r\n');
    clock.advance(30_000);
    expect(uplinks.map((u) => u.trial)).toEqual([1, 2]);
    expect(said().slice(-3)).toEqual(["+CMSGHEX: Start", "+CMSGHEX: Wait ACK", "+CMSGHEX: Done"]);
    expect(modem.ledger.violations()).toEqual([]);
    // DR5: ~46 ms on air closes the 1 % band for ~4.6 s, longer than the ~2 s until Done.
    cmd('AT+MSGHEX="03"\r\n');
    clock.advance(2500);
    expect(said().at(-1)).toBe("+MSGHEX: Done");
    cmd('AT+MSGHEX="04"\r\n');
    clock.advance(10);
    const last = modem.ledger.transmissions.at(-1)!;
    const waitMs = Math.ceil(last.startMs + last.airtimeMs / 0.01 - (clock.now() - 10 + 5));
    expect(said().at(-1)).toBe(`+MSGHEX: No band in ${waitMs}ms`);
  });

  it("is deterministic for a seed and varies the channel with it", () => {
    const run = (seed: number) => {
      const r = rig({}, seed);
      r.cmd("AT+MODE=LWOTAA\r\nAT+DR=DR5\r\nAT+JOIN\r\n");
      r.clock.advance(10_000);
      for (let i = 0; i < 4; i++) {
        r.cmd('AT+MSGHEX="AA"\r\n');
        r.clock.advance(20_000);
      }
      return r.modem.ledger.transmissions.map((t) => t.frequencyHz);
    };
    expect(run(5)).toEqual(run(5));
    expect(new Set([...run(5), ...run(6), ...run(7)]).size).toBeGreaterThan(1);
  });
});
