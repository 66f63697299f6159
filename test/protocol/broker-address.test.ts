import { describe, expect, it } from "vitest";
import { brokerAddressProblem, isIPv4 } from "../../protocol/broker-address.js";

describe("broker address (protocol/broker-address.ts)", () => {
  it("takes four decimal parts 0..255 without leading zeros, and nothing else", () => {
    for (const ok of ["10.0.0.5", "127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.100.7"]) {
      expect(isIPv4(ok), ok).toBe(true);
    }
    for (const bad of [
      "",
      "localhost",
      "broker.mine.local",
      "10.0.0",
      "10.0.0.5.1",
      "10..0.5",
      ".10.0.0.5",
      "10.0.0.5.",
      "10.0.0.256",
      "10.0.0.1000",
      "010.0.0.5",
      "10.0.0.00",
      " 10.0.0.5",
      "10.0.0.5 ",
      "+10.0.0.5",
      "10.0.0.5:1883",
      "fd00::5",
      "１０.0.0.5",
    ]) {
      expect(isIPv4(bad), bad).toBe(false);
    }
  });

  it("a problem is one line naming the value and why; 0.0.0.0 and non-strings are refused too", () => {
    expect(brokerAddressProblem("10.0.0.5")).toBeUndefined();
    const p = brokerAddressProblem("mqtt.example.com")!;
    expect(p.split("\n")).toHaveLength(1);
    expect(p).toMatch(
      /^mqttHost must be the broker's IPv4 address \(e\.g\. 10\.0\.0\.5\), got "mqtt\.example\.com": /,
    );
    expect(p).toMatch(
      /hard-coded public DNS server \(1\.1\.1\.1\), which a mine network without internet cannot reach$/,
    );
    expect(brokerAddressProblem("0.0.0.0")).toMatch(/got "0\.0\.0\.0"/);
    expect(brokerAddressProblem(undefined)).toMatch(/got undefined/);
    expect(brokerAddressProblem(167772165)).toMatch(/got 167772165/);
  });
});
