/**
 * The provisioning record's own check (CRC-32C, version 2) and why: the console's `cfgcrc` is the CRC-32 of
 * the whole record and must tell records apart; version-1 records (CRC-32 trailer) are still read. Also the
 * stored calibration ages (firmware/node/console/provisioning-store.ts): a torn or foreign value reads as
 * unknown.
 */
import { describe, expect, it } from "vitest";
import {
  KEY_CAL_AGE,
  loadCalibrationAges,
  storeCalibrationAges,
} from "../../firmware/node/console/provisioning.js";
import { MemoryKeyValue } from "../../host-sim/node/key-value.js";
import { crc32, crc32c } from "../../protocol/checksums.js";
import { defaultConfig } from "../../protocol/config-record.js";
import { decodeProvisioning, emptyRecord, encodeProvisioning } from "../../protocol/provisioning-record.js";

const ID = Uint8Array.of(0x70, 0xb3, 0xd5, 0x7e, 0, 0, 0, 0x2a);

function record(site: string): Uint8Array {
  const r = emptyRecord(ID, defaultConfig());
  r.profile = "kz-ru-coal";
  r.location = "face";
  r.site = site;
  return encodeProvisioning(r);
}

describe("provisioning record check", () => {
  it("CRC-32C has the catalogue's check value (CRC-32/ISCSI: E3069283)", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });

  it("the CRC-32 of the whole record (ID's cfgcrc) differs between records, and is not the residue", () => {
    const seen = new Set<number>();
    for (const site of ["a", "b", "c", "karaganda", "karagandA", "zhezkazgan-7"]) {
      const bytes = record(site);
      expect(bytes[3]).toBe(2);
      const cfgcrc = crc32(bytes);
      expect(cfgcrc).not.toBe(0x2144df1c);
      seen.add(cfgcrc);
    }
    expect(seen.size).toBe(6);
  });

  it("a record still fails its check on any flipped bit", () => {
    const bytes = record("karaganda");
    for (const at of [0, 5, 40, bytes.length - 10, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at]! ^= 0x10;
      expect(() => decodeProvisioning(bad)).toThrow(/wrong magic|fails its CRC-32C|version/);
    }
  });

  it("reads a version-1 record (CRC-32 trailer), as stored by earlier firmware", () => {
    const v1 = record("karaganda");
    v1[3] = 1;
    new DataView(v1.buffer).setUint32(v1.length - 4, crc32(v1, 0, v1.length - 4), true);
    expect(crc32(v1)).toBe(0x2144df1c); // why version 2 exists
    expect(decodeProvisioning(v1).site).toBe("karaganda");
    v1[20]! ^= 1;
    expect(() => decodeProvisioning(v1)).toThrow(/fails its CRC-32$/);
  });

  it("refuses a version it does not know, naming it", () => {
    const v3 = record("x");
    v3[3] = 3;
    expect(() => decodeProvisioning(v3)).toThrow(/version 3 is not one this firmware reads/);
  });
});

describe("stored calibration ages", () => {
  it("round-trip; none stored, torn or foreign reads as unknown (NaN)", () => {
    const kv = new MemoryKeyValue();
    expect([...loadCalibrationAges(kv)].every(Number.isNaN)).toBe(true);
    storeCalibrationAges(kv, Float64Array.of(1000, Number.NaN, 3.6e6, 0));
    const back = loadCalibrationAges(kv);
    expect([back[0], back[2], back[3]]).toEqual([1000, 3.6e6, 0]);
    expect(back[1]).toBeNaN();
    const stored = new Uint8Array(kv.read(KEY_CAL_AGE) as ArrayBuffer);
    kv.write(KEY_CAL_AGE, stored.slice(0, 18).buffer); // torn
    expect([...loadCalibrationAges(kv)].every(Number.isNaN)).toBe(true);
    stored[3]! ^= 1; // bit flip
    kv.write(KEY_CAL_AGE, stored.buffer);
    expect([...loadCalibrationAges(kv)].every(Number.isNaN)).toBe(true);
  });
});
