/**
 * node.yaml parsing and the checks run before anything is written; key files (never echoing a key), the
 * generated node id, and the one-line messages for a real serial port's open failures.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateNodeId, keyCheckValue, readKeyFile } from "../../tools/provision/keys.js";
import {
  buildRecord,
  checkNodeRecord,
  deviations,
  parseNodeConfig,
} from "../../tools/provision/node-config.js";
import { openFailure } from "../../tools/provision/serial-port.js";
import { FACE_YAML } from "./rig.js";

/** A 16-byte key as hex, bytes not all the same. */
const KEY_HEX = "00112233445566778899aabbccddeeff";
const parse = (yaml: string) => parseNodeConfig(yaml, "node.yaml");

/** "Billion laughs": 9^6 copies of one string from six lines (the yaml package's own guard throws a ReferenceError). */
const ALIAS_BOMB = `a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]
`;

describe("node.yaml", () => {
  it("reads every field; text fields as written even when YAML would see a number", () => {
    const c = parse(
      `nodeId: 0011223344556677\nsite: 7\nlevel: 0042\nlocation: return\nprofile: us-msha-coal\nsetpoints:\n  o2: { a1: 20.1 }\ncalibration:\n  co: { gain: 1.02, offset: -0.4 }\ntelemetryPeriodS: 120\n`,
    );
    expect(c).toMatchObject({
      nodeId: "0011223344556677",
      site: "7",
      level: "0042",
      location: "return",
      profile: "us-msha-coal",
      setpoints: { o2: { a1: 20.1 } },
      calibration: { co: { gain: 1.02, offset: -0.4 } },
      telemetryPeriodS: 120,
    });
    const r = buildRecord(c, c.nodeId!, "");
    expect(r.config.params[8]).toBe(201); // o2LowA1DeciPctVol
    expect(r.config.params[0]).toBe(120);
    expect([r.calGain[1], r.calOffset[1]]).toEqual([1.02, -0.4]);
    expect(checkNodeRecord(r, "node.yaml")).toEqual([]);
  });

  const refusals: [string, string, RegExp][] = [
    ["a typo'd key", `${FACE_YAML}setpoint: {}\n`, /unknown key "setpoint" \(known: nodeId, site/],
    ["a typo'd gas", FACE_YAML.replace("ch4:", "ch5:"), /unknown key "setpoints\.ch5"/],
    [
      "an MQTT broker name (set at build time, and must be an IPv4 address)",
      `${FACE_YAML}mqttHost: broker.mine.local\n`,
      /^node\.yaml: mqttHost is not set by provisioning: the broker is built into the firmware \(build:firmware mqttHost=<the broker's IPv4 address>, docs\/firmware-build\.md\); and mqttHost must be the broker's IPv4 address \(e\.g\. 10\.0\.0\.5\), got "broker\.mine\.local": Moddable's MQTT client looks up host names at a hard-coded public DNS server \(1\.1\.1\.1\), which a mine network without internet cannot reach$/,
    ],
    [
      "an MQTT broker address (set at build time)",
      `${FACE_YAML}mqttHost: 10.0.0.5\n`,
      /^node\.yaml: mqttHost is not set by provisioning: the broker is built into the firmware \(build:firmware mqttHost=<the broker's IPv4 address>, docs\/firmware-build\.md\)$/,
    ],
    [
      "missing site",
      FACE_YAML.replace("site: karaganda-lenina\n", ""),
      /site is missing: add "site: \.\.\."/,
    ],
    [
      "unknown profile",
      FACE_YAML.replace("kz-ru-coal", "kz-coal"),
      /profile "kz-coal" is not known \(known: kz-ru-coal, us-msha-coal\)/,
    ],
    [
      "unknown location class",
      FACE_YAML.replace("location: face", "location: fase"),
      /location class "fase" is not in profile kz-ru-coal \(known: intake, face, return, local, main-return\)/,
    ],
    [
      "more decimals than stored",
      FACE_YAML.replace("a1: 0.7", "a1: 0.705"),
      /setpoints\.ch4\.a1 0\.705 %vol: the node stores steps of 0\.01 %vol/,
    ],
    [
      "a set-point that is not a number",
      FACE_YAML.replace("a1: 0.7", "a1: high"),
      /setpoints\.ch4\.a1 "high" is not a number/,
    ],
    ["a bad node id", `nodeId: 12345\n${FACE_YAML}`, /nodeId "12345" must be an EUI-64/],
    [
      "a site too long",
      FACE_YAML.replace("karaganda-lenina", "x".repeat(33)),
      /site "x{33}" must be 1\.\.32 printable ASCII/,
    ],
    ["not a mapping", "- a\n- b\n", /the file must be a mapping/],
    // issue 14 item 9: these ended in "internal error" (exit 70) or named the wrong thing.
    [
      "a YAML alias bomb",
      `${FACE_YAML}${ALIAS_BOMB}`,
      /^node\.yaml: refused: its YAML aliases \(\*name\) expand beyond 50 copies \(an alias bomb\?\): write the values out$/,
    ],
    [
      ".nan",
      FACE_YAML.replace("a1: 0.7", "a1: .nan"),
      /^node\.yaml: setpoints\.ch4\.a1 NaN is not a finite number$/,
    ],
    [
      ".inf",
      FACE_YAML.replace("a1: 0.7", "a1: .inf"),
      /^node\.yaml: setpoints\.ch4\.a1 Infinity is not a finite number$/,
    ],
    [
      "-.inf as a period",
      `${FACE_YAML}telemetryPeriodS: -.inf\n`,
      /^node\.yaml: telemetryPeriodS -Infinity is not a finite number$/,
    ],
    // issue 14 item 10: an empty calibration entry wrote gain 1 offset 0 over the node's calibration.
    [
      "an empty calibration entry",
      `${FACE_YAML}calibration:\n  co: {}\n`,
      /^node\.yaml: calibration\.co is empty: give its gain and\/or offset from the certificate, or remove the entry to keep the node's calibration$/,
    ],
    [
      "a calibration entry of nulls",
      `${FACE_YAML}calibration:\n  co: { gain: null, offset: ~ }\n`,
      /calibration\.co is empty/,
    ],
  ];
  it.each(refusals)("refuses %s with one line naming it", (_what, yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });

  it("set-points: stricter is fine, every looser one is listed, order violations are the node's", () => {
    const strict = buildRecord(
      parse(FACE_YAML.replace("a1: 0.7", "a1: 0.5, a2: 0.9")),
      "0011223344556677",
      "",
    );
    expect(deviations(strict)).toEqual([]);
    const o2 = buildRecord(
      parse(FACE_YAML.replace("ch4: { a1: 0.7 }", "o2: { a1: 20.4, a2: 19.5 }")),
      "0011223344556677",
      "",
    );
    expect(deviations(o2).map((d) => `${d.field} ${d.side} ${d.limit}`)).toEqual([
      "setpoints.o2.a1 below 20.5",
      "setpoints.o2.a2 below 20",
    ]);
    const order = buildRecord(
      parse(FACE_YAML.replace("a1: 0.7", "a1: 0.7, a2: 0.6")),
      "0011223344556677",
      "",
    );
    expect(() => checkNodeRecord(order, "node.yaml")).toThrow(
      /the first CH4 set-point must not exceed the second/,
    );
  });

  it("O2: an enrichment alarm at or below normal air, or a deficiency alarm at or above it, is refused (issue 14 item 10)", () => {
    const record = (o2: string) =>
      buildRecord(parse(FACE_YAML.replace("ch4: { a1: 0.7 }", `o2: ${o2}`)), "0011223344556677", "");
    // Stricter than the profile (23.5), so no deviation: it was accepted, and the alarm is on in clean air.
    expect(() => checkNodeRecord(record("{ enrichment: 20.0 }"), "node.yaml")).toThrow(
      /^node\.yaml: setpoints\.o2\.enrichment 20 %vol is not above normal air's 20\.9 %vol \(an enrichment alarm must be above it\): no override can accept this/,
    );
    expect(() => checkNodeRecord(record("{ enrichment: 20.9 }"), "node.yaml")).toThrow(
      /not above normal air/,
    );
    const high = record("{ a1: 21.0, a2: 20.9 }");
    high.override = "site rule"; // no override accepts it either
    expect(() => checkNodeRecord(high, "node.yaml")).toThrow(
      /setpoints\.o2\.a1 21 %vol is not below normal air's 20\.9 %vol .*; setpoints\.o2\.a2 20\.9 %vol is not below/,
    );
    expect(checkNodeRecord(record("{ a1: 20.8, a2: 20.0, enrichment: 21.0 }"), "node.yaml")).toEqual([]);
  });
});

describe("keys", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "minewatch-keys-"));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it("reads a key file; a wrong length or unknown slot is refused without showing the key", () => {
    const keys = readKeyFile(file("k.json", `{"nodeId":"x","mac":"${KEY_HEX}"}`));
    expect([...keys.keys()]).toEqual(["mac"]);
    const secretish = "cd".repeat(15);
    expect(() => readKeyFile(file("short.json", `{"mac":"${secretish}"}`))).toThrow(
      /a mac key is 16 bytes, this one is 15/,
    );
    try {
      readKeyFile(file("short.json", `{"mac":"${secretish}"}`));
    } catch (e) {
      expect((e as Error).message).not.toContain(secretish);
    }
    expect(() => readKeyFile(file("slot.json", `{"mac":"${KEY_HEX}","radio":"00"}`))).toThrow(
      /unknown slot "radio"/,
    );
    expect(() => readKeyFile(file("nomac.json", `{"lorawan-appkey":"${KEY_HEX}"}`))).toThrow(
      /has no "mac" key/,
    );
  });

  it("a key with every byte the same (all zero, a repeated byte) is refused (issue 14 item 10)", () => {
    expect(() => readKeyFile(file("zero.json", `{"mac":"${"00".repeat(16)}"}`))).toThrow(
      /key file .*zero\.json: the mac key has every byte the same \(all zero\): that is a placeholder, not a key/,
    );
    expect(() =>
      readKeyFile(file("ff.json", `{"mac":"${KEY_HEX}","lorawan-appkey":"${"ff".repeat(16)}"}`)),
    ).toThrow(/the lorawan-appkey key has every byte the same \(one repeated byte\)/);
    try {
      readKeyFile(file("ff.json", `{"mac":"${"5a".repeat(16)}"}`));
    } catch (e) {
      expect((e as Error).message).not.toMatch(/5a5a/i);
    }
  });

  it('key check value: first 3 bytes of HMAC-SHA256(key, "kcv") (SPEC-console.md example: 3B6E53)', () => {
    expect(keyCheckValue(Buffer.from("00112233445566778899AABBCCDDEEFF", "hex"))).toBe("3B6E53");
  });

  it("a generated node id is locally administered and unicast", () => {
    for (let i = 0; i < 20; i++) {
      const b0 = Number.parseInt(generateNodeId().slice(0, 2), 16);
      expect(b0 & 0x02).toBe(0x02);
      expect(b0 & 0x01).toBe(0);
    }
  });
});

describe("real serial port open failures", () => {
  it.each([
    [
      "Error: No such file or directory, cannot open /dev/ttyUSB7",
      "wrong-port",
      /no serial port \/dev\/ttyUSB7: check the cable/,
    ],
    [
      "Error: Resource busy, cannot open /dev/ttyUSB7",
      "port-busy",
      /port \/dev\/ttyUSB7 is busy: close the other program/,
    ],
    ["Error Resource temporarily unavailable Cannot lock port", "port-busy", /is busy/],
    [
      "Error: Permission denied, cannot open /dev/ttyUSB7",
      "wrong-port",
      /add your user to the dialout group/,
    ],
  ])("%s", (message, code, line) => {
    const e = openFailure("/dev/ttyUSB7", message);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(line);
  });
});
