import { describe, expect, it } from "vitest";
import {
  AtCommand,
  AtCommandWriter,
  AtLineParser,
  AtReply,
  ascii,
  decodeHex,
} from "../../firmware/node/transports/lorawan/at-protocol.js";

/**
 * Transcripts of real LoRa-E5 / RisingHF modules, as published:
 * - CampusIoT/tutorial wio-lora-e5/AT.md (Wio-E5 session: AT+ID, AT+DR, ERROR(-1), ERROR(-12), join).
 * - Seeed forum "How to Parse LoRa-E5-HF module CMSGHEX response" (2024): a confirmed uplink with a downlink.
 * - RisingHF UM01509 RHF76-052 user manual V2.6 section 8 (AT+CMSG examples, NACK and ACK).
 * - Seeed LoRa-E5 wiki / spec V1.0 AT+JOIN table ("LoRaWAN modem is busy", NetID line).
 */
const parse = (line: string) => {
  const p = new AtLineParser().parseText(line);
  return { command: p.command, kind: p.kind, value: p.value };
};

describe("LoRa-E5 answer lines", () => {
  it("classifies a confirmed uplink with ACK and downlink (Seeed forum transcript)", () => {
    const lines = [
      "+CMSGHEX: Start",
      "+CMSGHEX: Wait ACK",
      "+CMSGHEX: FPENDING",
      "+CMSGHEX: ACK Received",
      '+CMSGHEX: PORT: 15; RX: "48656C6C6F"',
      "+CMSGHEX: RXWIN1, RSSI -43, SNR 10.0",
      "+CMSGHEX: Done",
    ];
    expect(lines.map((l) => parse(l).kind)).toEqual([
      AtReply.Start,
      AtReply.WaitAck,
      AtReply.FramePending,
      AtReply.AckReceived,
      AtReply.Rx,
      AtReply.RxWindow,
      AtReply.Done,
    ]);
    expect(lines.every((l) => parse(l).command === AtCommand.CMsgHex)).toBe(true);
    const p = new AtLineParser().parseText(lines[4]!);
    expect(p.value).toBe(15);
    const out = new Uint8Array(16);
    const n = decodeHex(p.line, p.dataStart, p.dataEnd, out);
    expect(String.fromCharCode(...out.subarray(0, n))).toBe("Hello");
  });

  it('reads a spaced RX payload (RHF76-052 manual: PORT: 5; RX: "14 54 54")', () => {
    const p = new AtLineParser().parseText('+CMSG: PORT: 5; RX: "14 54 54"');
    expect(p.kind).toBe(AtReply.Rx);
    const out = new Uint8Array(8);
    expect(Array.from(out.subarray(0, decodeHex(p.line, p.dataStart, p.dataEnd, out)))).toEqual([
      0x14, 0x54, 0x54,
    ]);
  });

  it("classifies join transcripts (CampusIoT Wio-E5 session, Seeed spec table)", () => {
    expect(
      ["+JOIN: Start", "+JOIN: NORMAL", "+JOIN: Join failed", "+JOIN: Done"].map((l) => parse(l).kind),
    ).toEqual([AtReply.Start, AtReply.Normal, AtReply.JoinFailed, AtReply.Done]);
    expect(parse("+JOIN: Network joined").kind).toBe(AtReply.NetworkJoined);
    expect(parse("+JOIN: NetID 000024 DevAddr 48:00:00:01").kind).toBe(AtReply.NetId);
    expect(parse("+JOIN: LoRaWAN modem is busy").kind).toBe(AtReply.Busy);
    expect(parse("+JOIN: Joined already").kind).toBe(AtReply.JoinedAlready);
    expect(parse("+JOIN: Start").command).toBe(AtCommand.Join);
  });

  it("reads error codes and the refusals with their numbers", () => {
    expect(parse("+KEY: ERROR(-1)")).toMatchObject({ kind: AtReply.Error, value: -1 });
    expect(parse("+MODE: ERROR(-12)")).toEqual({ command: AtCommand.Mode, kind: AtReply.Error, value: -12 });
    expect(parse("+DR: ERROR(-1)")).toEqual({ command: AtCommand.Dr, kind: AtReply.Error, value: -1 });
    expect(parse("+MSGHEX: Length error 51")).toEqual({
      command: AtCommand.MsgHex,
      kind: AtReply.LengthError,
      value: 51,
    });
    expect(parse("+MSG: No band in 13469ms")).toMatchObject({ kind: AtReply.NoBand, value: 13469 });
    expect(parse("+MSGHEX: Please join network first").kind).toBe(AtReply.NotJoined);
    expect(parse("+CMSGHEX: No free channel").kind).toBe(AtReply.NoFreeChannel);
    expect(parse("+MSGHEX: DR error").kind).toBe(AtReply.DrError);
  });

  it("settings echoes are text; unknown or malformed lines are not mistaken for answers", () => {
    expect(parse("+DR: EU868 DR0  SF12 BW125K ")).toEqual({
      command: AtCommand.Dr,
      kind: AtReply.Text,
      value: 0,
    });
    expect(parse("+AT: OK")).toMatchObject({ command: AtCommand.At, kind: AtReply.Text });
    expect(parse("+INFO: Input timeout")).toMatchObject({ command: AtCommand.Info, kind: AtReply.Text });
    expect(parse("+FOO: Done").command).toBe(AtCommand.Unknown);
    expect(parse("garbage").kind).toBe(AtReply.Garbage);
    expect(parse("+MSGHEX: Length error x").kind).toBe(AtReply.Text);
  });

  it("assembles lines across arbitrary byte splits, CR optional, and drops overlong lines", () => {
    const p = new AtLineParser();
    const kinds: number[] = [];
    for (const c of "+AT: OK\r\n\r\n+MSGHEX: Start\n+MSGHEX: Done\r\n")
      if (p.push(c.charCodeAt(0))) kinds.push(p.kind);
    expect(kinds).toEqual([AtReply.Text, AtReply.Start, AtReply.Done]);
    const long = `+MSGHEX: ${"A".repeat(600)}\n+MSGHEX: Done\n`;
    kinds.length = 0;
    for (const c of long) if (p.push(c.charCodeAt(0))) kinds.push(p.kind);
    expect(kinds).toEqual([AtReply.Done]);
    expect(p.overlongLines).toBe(1);
  });

  it("rejects bad hex and writes commands as the module expects them", () => {
    const out = new Uint8Array(4);
    expect(decodeHex(ascii("4G"), 0, 2, out)).toBe(-1);
    expect(decodeHex(ascii("ABC"), 0, 3, out)).toBe(-1);
    expect(decodeHex(ascii("0102030405"), 0, 10, out)).toBe(-1); // more than the buffer holds
    const w = new AtCommandWriter(64);
    w.bytes(ascii("AT+CMSGHEX="))
      .quote()
      .hex(Uint8Array.of(0x01, 0xab, 0xff), 3)
      .quote()
      .end();
    expect(String.fromCharCode(...w.buffer.subarray(0, w.length))).toBe('AT+CMSGHEX="01ABFF"\r\n');
    w.reset().bytes(ascii("AT+PORT=")).int(10).byte(0x20).int(0).byte(0x20).int(-12);
    expect(String.fromCharCode(...w.buffer.subarray(0, w.length))).toBe("AT+PORT=10 0 -12");
  });
});
