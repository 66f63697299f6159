/**
 * A unit-test fake of the runtime side of the console (ConsoleHost): config as JSON text with two checked
 * fields, keys in a map with the real KCV (HMAC-SHA256(key, "kcv"), @noble/hashes), two gases whose
 * readings the test sets, and a log of every call. Only tests use it (house rule 4).
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type {
  CalibrationResult,
  ConsoleHost,
  ConsoleRefusal,
  GasReading,
  InterlockResetResult,
  KeyInfo,
  NodeIdentity,
} from "../../firmware/node/console/host.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

export const GOOD_CONFIG = { nodeId: "kz-zh-0042", ch4HighPctVol: 1.0 };

export function configBytes(config: unknown): Uint8Array {
  return enc.encode(JSON.stringify(config));
}

export function kcvOf(key: Uint8Array): string {
  return Buffer.from(hmac(sha256, key, enc.encode("kcv")).subarray(0, 3))
    .toString("hex")
    .toUpperCase();
}

const UNITS: Record<string, string> = { CH4: "%vol", CO: "ppm" };

export class FakeHost implements ConsoleHost {
  config: Uint8Array = configBytes(GOOD_CONFIG);
  secret: Uint8Array = enc.encode("s3cret-pass");
  readonly keys = new Map<string, Uint8Array>();
  readonly readings: Record<string, number> = { CH4: 0.02, CO: 1 };
  readonly calls: string[] = [];
  bump: { on: boolean; gas: string | null } = { on: false, gas: null };
  reboots = 0;
  commits = 0;
  /** When set, the next call to this method throws (a runtime bug the console must survive). */
  throwOn: string | undefined;

  #log(name: string, detail = ""): void {
    this.calls.push(detail ? `${name} ${detail}` : name);
    if (this.throwOn === name) {
      this.throwOn = undefined;
      throw new Error(`${name} exploded`);
    }
  }

  identify(): NodeIdentity {
    this.#log("identify");
    const cfg = JSON.parse(dec.decode(this.config)) as { nodeId?: string };
    return { nodeId: cfg.nodeId ?? "unset", firmwareVersion: "0.1.0", variant: "combo" };
  }

  readConfig(): Uint8Array {
    return this.config;
  }

  validateConfig(bytes: Uint8Array): ConsoleRefusal | null {
    this.#log("validateConfig", String(bytes.length));
    let cfg: { nodeId?: unknown; ch4HighPctVol?: unknown };
    try {
      cfg = JSON.parse(dec.decode(bytes));
    } catch {
      return { error: "bad-encoding", field: "config", reason: "config is not JSON" };
    }
    if (typeof cfg.nodeId !== "string" || cfg.nodeId.length === 0) {
      return { error: "missing", field: "nodeId", reason: "nodeId is required" };
    }
    const h = cfg.ch4HighPctVol;
    if (typeof h !== "number" || h <= 0 || h > 1.5) {
      // 30 CFR 75.323: 1.5 % CH4 is the top of the US coal action levels.
      return {
        error: "out-of-range",
        field: "ch4HighPctVol",
        reason: `ch4HighPctVol ${h} is outside (0, 1.5]`,
      };
    }
    return null;
  }

  commitConfig(bytes: Uint8Array): ConsoleRefusal | null {
    this.#log("commitConfig", String(bytes.length));
    this.config = bytes.slice();
    this.commits++;
    return null;
  }

  writeKey(slot: string, key: Uint8Array): ConsoleRefusal | null {
    this.#log("writeKey", slot);
    if (slot !== "mac" && slot !== "lorawan-appkey") {
      return { error: "unknown-slot", field: "slot", reason: `no key slot "${slot}" (mac, lorawan-appkey)` };
    }
    if (key.length !== 16) {
      return { error: "bad-length", field: "key", reason: `a ${slot} key is 16 bytes, got ${key.length}` };
    }
    this.keys.set(slot, key.slice());
    return null;
  }

  keyInfo(slot: string): KeyInfo | ConsoleRefusal {
    if (slot !== "mac" && slot !== "lorawan-appkey") {
      return { error: "unknown-slot", field: "slot", reason: `no key slot "${slot}"` };
    }
    const key = this.keys.get(slot);
    return { kcv: key ? Uint8Array.from(Buffer.from(kcvOf(key), "hex")) : null };
  }

  provisioningSecret(): Uint8Array {
    return this.secret;
  }

  setProvisioningSecret(secret: Uint8Array): ConsoleRefusal | null {
    this.#log("setProvisioningSecret");
    this.secret = secret.slice();
    return null;
  }

  reading(gas: string): GasReading | ConsoleRefusal {
    this.#log("reading", gas);
    const value = this.readings[gas];
    if (value === undefined)
      return { error: "unknown-gas", field: "gas", reason: `this node has no ${gas} sensor` };
    const alarm = gas === "CH4" && value >= 1.0 ? "high" : "none";
    return { value, unit: UNITS[gas]!, alarm };
  }

  calibrate(gas: string, kind: "zero" | "span", value: number): CalibrationResult | ConsoleRefusal {
    this.#log("calibrate", `${gas} ${kind} ${value}`);
    const unit = UNITS[gas];
    if (!unit) return { error: "unknown-gas", field: "gas", reason: `this node has no ${gas} sensor` };
    if (kind === "span" && gas === "CO" && value > 500) {
      return {
        error: "out-of-range",
        field: "span",
        reason: `span ${value} ppm exceeds the CO cell's 500 ppm range`,
      };
    }
    this.readings[gas] = kind === "zero" ? 0 : value;
    return { value: this.readings[gas]!, unit };
  }

  setBumpTest(on: boolean, gas: string | null): ConsoleRefusal | null {
    this.#log("setBumpTest", `${on} ${gas}`);
    if (on && gas !== null && !UNITS[gas]) {
      return { error: "unknown-gas", field: "gas", reason: `this node has no ${gas} sensor` };
    }
    this.bump = { on, gas };
    return null;
  }

  reboot(): void {
    this.#log("reboot");
    this.reboots++;
  }

  /** A latched trip the test sets; reset only below 1.0 %vol CH4 (the face reset point of kz-ru-coal). */
  interlockLatched = false;

  resetInterlock(): InterlockResetResult | ConsoleRefusal {
    this.#log("resetInterlock");
    if (!this.interlockLatched)
      return { error: "nothing-latched", field: "interlock", reason: "no interlock trip is latched" };
    const ch4 = this.readings.CH4 ?? Number.NaN;
    if (!(ch4 < 1.0))
      return { error: "gas-high", field: "ch4", reason: `CH4 reads ${ch4} %vol, not below 1 %vol` };
    this.interlockLatched = false;
    return { state: "energised", ch4PctVol: ch4, resetBelowPctVol: 1.0 };
  }
}
