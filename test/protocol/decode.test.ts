import { describe, expect, it } from "vitest";
import { decodeFrame } from "../../protocol/decode.js";
import { encodeFrame } from "../../protocol/encode.js";
import { ProtocolError } from "../../protocol/errors.js";
import {
  EXAMPLE_ALARM,
  EXAMPLE_BIRTH,
  EXAMPLE_CONFIG,
  EXAMPLE_CONFIG_REFUSED,
  EXAMPLES,
} from "../../protocol/examples.js";
import { fromHex, toHex } from "../../protocol/hex.js";
import { frameFromJson, frameToJson } from "../../protocol/json.js";
import { CONFIG_REFUSED, CONFIG_REFUSED_NO_PARAM, ConfigRefusal, FrameType } from "../../protocol/schema.js";

function failure(hex: string): ProtocolError {
  try {
    decodeFrame(fromHex(hex));
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error(`${hex} decoded`);
}

describe("encoding, checked against RFC 8949 by hand", () => {
  it("alarm CH4 A2 152 30 s: header 0x22, array(4), 0, 2, 0x18 0x98, 0x18 0x1e", () => {
    expect(Buffer.from(encodeFrame(EXAMPLE_ALARM)).toString("hex")).toBe("228400021898181e");
  });

  it("negative integers use major type 1 (-1 - n) in the shortest head", () => {
    const bytes = encodeFrame({
      type: FrameType.Telemetry,
      ch4CentiPctVol: -1,
      coPpm: -24,
      o2DeciPctVol: -25,
      h2sDeciPpm: -1000,
      vibRmsUmPerS: 0,
      vibPeakUmPerS: 65535,
      batteryMv: 256,
    });
    expect(Buffer.from(bytes).toString("hex")).toBe("2487203738183903e70019ffff190100");
    expect(decodeFrame(bytes).frame).toMatchObject({
      ch4CentiPctVol: -1,
      coPpm: -24,
      o2DeciPctVol: -25,
      h2sDeciPpm: -1000,
    });
  });

  it("config-refused revision 8, CH4 A2 (3), looser than profile (2), 300: header 0x26, array(4)", () => {
    const bytes = encodeFrame(EXAMPLE_CONFIG_REFUSED);
    expect(toHex(bytes)).toBe("268408030219012c");
    expect(decodeFrame(bytes).frame).toEqual(EXAMPLE_CONFIG_REFUSED);
    const json = frameToJson(EXAMPLE_CONFIG_REFUSED);
    expect(json).toEqual({
      type: "config-refused",
      version: 1,
      revision: 8,
      param: 3,
      reason: 2,
      value: 300,
    });
    expect(frameFromJson(json)).toEqual(EXAMPLE_CONFIG_REFUSED);
  });

  it("config-refused at its largest is 15 bytes, its budget; param and reason keep their ranges", () => {
    const worst = {
      type: FrameType.ConfigRefused,
      revision: 0xffffffff,
      param: CONFIG_REFUSED_NO_PARAM,
      reason: ConfigRefusal.Other,
      value: 0xffffffff,
    } as const;
    const bytes = encodeFrame(worst);
    expect(bytes.length).toBe(15);
    expect(CONFIG_REFUSED.budgetBytes).toBe(15);
    expect(decodeFrame(bytes).frame).toEqual(worst);
    expect(() => encodeFrame({ ...worst, reason: 16 })).toThrow(/reason/);
    expect(() => encodeFrame({ ...worst, param: 256 })).toThrow(/param/);
    expect(failure("268408031019012c").code).toBe("out-of-range");
  });

  it("every example round-trips", () => {
    for (const f of EXAMPLES) expect(decodeFrame(encodeFrame(f)).frame).toEqual(f);
  });
});

describe("each kind of bad input has its own code and names the value", () => {
  it("empty and cut-short frames are truncated", () => {
    expect(failure("").code).toBe("bad-hex");
    expect(() => decodeFrame(new Uint8Array(0))).toThrow(/empty frame/);
    const cut = failure("228400021898");
    expect(cut.code).toBe("truncated");
  });

  it("a newer version names both versions", () => {
    const e = failure("428400021898181e");
    expect(e.code).toBe("unsupported-version");
    expect(e.value).toBe(2);
    expect(e.message).toBe("unsupported protocol version 2 (this decoder knows up to 1)");
  });

  it("an unassigned type is unknown-type", () => {
    const e = failure("2784000218981818");
    expect(e.code).toBe("unknown-type");
    expect(e.value).toBe(7);
  });

  it("a longer-than-shortest head is not-canonical (RFC 8949 section 4.2.1)", () => {
    const e = failure("22840002190098181e");
    expect(e.code).toBe("not-canonical");
    expect(e.value).toBe(152);
    expect(failure("229f00021898181eff").code).toBe("not-canonical");
  });

  it("wrong item counts, wrong major types, trailing bytes, out-of-range values", () => {
    expect(failure("2283000218981818").code).toBe("bad-structure");
    expect(failure("228400021898f4").code).toBe("bad-structure");
    expect(failure("228400021898181e00").code).toBe("trailing-bytes");
    const range = failure("228409021898181e");
    expect(range.code).toBe("out-of-range");
    expect(range.value).toBe(9);
    expect(range.message).toContain("alarm.channel");
    expect(failure("22840002 1b0000000100000000 181e").code).toBe("out-of-range");
    expect(failure("22840002 1b0000000000000098 181e").code).toBe("not-canonical");
  });

  it("birth's node id must be an 8-byte string", () => {
    const hex = Buffer.from(encodeFrame(EXAMPLE_BIRTH))
      .toString("hex")
      .replace("4870b3d57ed0061234", "4770b3d57ed00612");
    expect(failure(hex).code).toBe("bad-structure");
  });

  it("config parameters must be known and strictly ascending", () => {
    const ok = Buffer.from(encodeFrame(EXAMPLE_CONFIG)).toString("hex");
    expect(ok).toBe("2887070019012c021864031896");
    expect(failure("2887070219012c021864031896").code).toBe("not-canonical");
    expect(failure("2883071819012c").value).toBe(25);
    expect(() =>
      encodeFrame({ ...EXAMPLE_CONFIG, entries: [EXAMPLE_CONFIG.entries[1]!, EXAMPLE_CONFIG.entries[0]!] }),
    ).toThrow(/ascending/);
    expect(() => encodeFrame({ ...EXAMPLE_CONFIG, entries: [] })).toThrow(/1\.\.8 parameters/);
  });
});
