import { describe, expect, it } from "vitest";
import { crc16, crc32 } from "../../protocol/checksums.js";
import { LOCKOUT_BASE_MS, SESSION_IDLE_MS } from "../../protocol/console-wire.js";
import { ConsoleClient, ConsoleRefusedError } from "../../tools/console/client.js";
import { configBytes, GOOD_CONFIG, kcvOf } from "./console-fake-host.js";
import { rig } from "./console-rig.js";

const SECRET = "s3cret-pass";
const enc = new TextEncoder();

function machineLine(seq: number, command: string, crc?: number): string {
  const head = `@${seq} ${command}`;
  const c = crc ?? crc16(enc.encode(head), 0, head.length);
  return `${head}*${c.toString(16).toUpperCase().padStart(4, "0")}\r\n`;
}

describe("provisioning console: identify and human mode", () => {
  it("ID states the node, firmware, variant and the committed config's length and CRC-32", async () => {
    const { client, host, run } = rig();
    const id = await run(client.identify());
    expect(id).toEqual({
      nodeId: GOOD_CONFIG.nodeId,
      firmwareVersion: "0.1.0",
      variant: "combo",
      configBytes: host.config.length,
      configCrc: crc32(host.config),
      authenticated: false,
      bumpTest: false,
    });
  });

  it("a human types plain lines (any case, backspace works) and gets plain OK / ERR lines", () => {
    const { typeLines } = rig();
    const [help] = typeLines("help\r\n");
    expect(help).toMatch(/^OK commands=ID,HELP,AUTH,LOCK,SECRET,CFG\.READ,.*,REBOOT,INTERLOCK\.RESET$/);
    // "rx" + two backspaces + "READ CH4": a typo fixed at the terminal
    const [read] = typeLines("rx\b\x7fREAD CH4\r");
    expect(read).toBe("OK gas=CH4 value=0.02 unit=%vol alarm=none");
    expect(typeLines("FROB 1\n")).toEqual(['ERR unknown-command "FROB"; send HELP for the list']);
    expect(typeLines("CAL.SPAN CO\n")).toEqual([
      "ERR bad-arg usage: CAL.SPAN <gas> <applied-value> (got 1 argument)",
    ]);
  });

  it("an over-long line and a control byte are refused with what was wrong, and the next line works", () => {
    const { typeLines } = rig();
    expect(typeLines(`ID ${"x".repeat(300)}\r\n`)).toEqual([
      "ERR line-too-long line of 303 bytes; the limit is 254 before CR LF",
    ]);
    expect(typeLines("ID\x07\r\n")).toEqual(["ERR bad-byte 0x07 at column 3"]);
    expect(typeLines("ID\r\n")[0]).toMatch(/^OK id=kz-zh-0042 /);
  });

  it("machine lines: the reply echoes @seq and carries a CRC-16; a bad CRC is refused naming both values", () => {
    const { typeLines } = rig();
    const [ok] = typeLines(machineLine(7, "READ CO"));
    const m = /^(@7 OK gas=CO value=1 unit=ppm alarm=none)\*([0-9A-F]{4})$/.exec(ok ?? "");
    expect(m).not.toBeNull();
    expect(Number.parseInt(m![2]!, 16)).toBe(crc16(enc.encode(m![1]!), 0, m![1]!.length));
    const good = crc16(enc.encode("@8 ID"), 0, 5);
    const [bad] = typeLines(machineLine(8, "ID", good ^ 1));
    expect(bad).toMatch(
      new RegExp(
        `^ERR bad-crc line says ${(good ^ 1).toString(16).toUpperCase().padStart(4, "0")}, computed ${good.toString(16).toUpperCase().padStart(4, "0")}\\*[0-9A-F]{4}$`,
      ),
    );
    expect(typeLines("@x ID*0000\r\n")[0]).toMatch(/^ERR bad-seq /);
  });
});

describe("provisioning console: the secret", () => {
  it("every write is refused until AUTH, and a wrong secret is never echoed", async () => {
    const { client, run, link } = rig();
    for (const cmd of [
      "CFG.BEGIN 10 00000000",
      "KEY.SET mac 00",
      "CAL.ZERO CO",
      "BUMP.ON CH4",
      "REBOOT",
      "SECRET abcdefgh",
    ]) {
      const r = await run(client.request(cmd));
      expect(r.code, cmd).toBe("locked");
    }
    const r = await run(client.request("AUTH not-the-secret"));
    expect(r).toMatchObject({
      ok: false,
      code: "auth-failed",
      detail: "wrong secret; 2 tries left before a lockout",
    });
    expect(link.receivedText).not.toContain("not-the-secret");
    await run(client.auth(SECRET));
    expect((await run(client.identify())).authenticated).toBe(true);
  });

  it("locks out after 3 wrong secrets, doubling the wait; even the right secret waits", async () => {
    const { client, clock, run } = rig();
    await run(client.request("AUTH wrong-1"));
    await run(client.request("AUTH wrong-2"));
    expect((await run(client.request("AUTH wrong-3"))).detail).toBe("wrong secret; retry in 30 s");
    const during = await run(client.request(`AUTH ${SECRET}`));
    expect(during).toMatchObject({ code: "locked-out" });
    expect(during.detail).toMatch(/^retry in (29|30) s$/);
    clock.advance(LOCKOUT_BASE_MS);
    expect((await run(client.request("AUTH wrong-4"))).detail).toBe("wrong secret; retry in 60 s");
    clock.advance(2 * LOCKOUT_BASE_MS);
    await run(client.auth(SECRET));
    // Success resets the count: the next wrong secret is a free try again.
    await run(client.lock());
    expect((await run(client.request("AUTH wrong-5"))).detail).toBe(
      "wrong secret; 2 tries left before a lockout",
    );
  });

  it("a node without a secret refuses AUTH; SECRET changes it for the next session", async () => {
    const { client, host, run } = rig();
    host.secret = new Uint8Array(0);
    expect((await run(client.request(`AUTH ${SECRET}`))).code).toBe("no-secret");
    host.secret = enc.encode(SECRET);
    await run(client.auth(SECRET));
    expect((await run(client.request("SECRET short"))).detail).toBe(
      "a secret is 8..64 printable characters without spaces, got 5",
    );
    await run(client.setSecret("n3w-secret-42"));
    await run(client.lock());
    expect((await run(client.request(`AUTH ${SECRET}`))).code).toBe("auth-failed");
    await run(client.auth("n3w-secret-42"));
  });

  it("the session ends after 120 s idle on the clock and takes bump-test mode and a half transfer with it", async () => {
    const { client, clock, host, run } = rig();
    await run(client.auth(SECRET));
    await run(client.bumpTest(true, "CH4"));
    await run(client.command("CFG.BEGIN 10 00000000"));
    expect(host.bump).toEqual({ on: true, gas: "CH4" });
    clock.advance(SESSION_IDLE_MS - 1000);
    await run(client.command("CFG.DATA 0 0011")); // activity: the idle timer starts again
    clock.advance(SESSION_IDLE_MS - 1000);
    expect(host.bump.on).toBe(true);
    clock.advance(2000);
    expect(host.bump).toEqual({ on: false, gas: null });
    const id = await run(client.identify());
    expect(id).toMatchObject({ authenticated: false, bumpTest: false });
    expect((await run(client.request("CFG.COMMIT"))).code).toBe("locked");
    await run(client.auth(SECRET));
    expect((await run(client.request("CFG.COMMIT"))).code).toBe("no-transfer");
  });
});

describe("provisioning console: config", () => {
  it("writes a multi-chunk config atomically and reads the same bytes back", async () => {
    const { client, host, run } = rig();
    const next = configBytes({ ...GOOD_CONFIG, nodeId: "kz-zh-0043", note: "x".repeat(700) });
    await run(client.auth(SECRET));
    const crc = await run(client.writeConfig(next));
    expect(crc).toBe(crc32(next));
    expect(host.config).toEqual(next);
    expect(host.calls.filter((c) => c.startsWith("commitConfig"))).toEqual([`commitConfig ${next.length}`]);
    expect(await run(client.readConfig())).toEqual(next);
    expect((await run(client.identify())).nodeId).toBe("kz-zh-0043");
  });

  it("a config the runtime refuses is not committed and the reply names the field and the value", async () => {
    const { client, host, run } = rig();
    const before = host.config;
    await run(client.auth(SECRET));
    const err = await run(
      client.writeConfig(configBytes({ nodeId: "n1", ch4HighPctVol: 2.5 })).catch((e) => e),
    );
    expect(err).toBeInstanceOf(ConsoleRefusedError);
    expect(err.code).toBe("invalid-config");
    expect(err.reply.fields).toEqual({ field: "ch4HighPctVol", why: "out-of-range" });
    expect(err.reply.detail).toMatch(/ch4HighPctVol 2\.5 is outside \(0, 1\.5\]$/);
    expect(host.config).toBe(before);
    expect(host.commits).toBe(0);
  });

  it("refuses a wrong offset, a chunk past the total, a wrong CRC and an early COMMIT", async () => {
    const { client, host, run } = rig();
    const before = host.config;
    await run(client.auth(SECRET));
    const body = configBytes(GOOD_CONFIG);
    const hex = Buffer.from(body).toString("hex");
    await run(client.command(`CFG.BEGIN ${body.length} ${crc32(body).toString(16).padStart(8, "0")}`));
    expect((await run(client.request(`CFG.DATA 4 ${hex.slice(0, 8)}`))).detail).toBe("offset 4, expected 0");
    await run(client.command(`CFG.DATA 0 ${hex.slice(0, 8)}`));
    expect((await run(client.request("CFG.COMMIT"))).detail).toBe(`received 4 of ${body.length} bytes`);
    expect((await run(client.request(`CFG.DATA 4 ${hex.slice(8)}00`))).code).toBe("too-large");
    expect((await run(client.request("CFG.DATA 4 0G"))).code).toBe("bad-arg");
    await run(client.command(`CFG.DATA 4 ${hex.slice(8)}`));
    expect(host.calls.some((c) => c.startsWith("validateConfig"))).toBe(false);
    // Same length, announced CRC off by one bit
    await run(client.command(`CFG.BEGIN ${body.length} ${(crc32(body) ^ 1).toString(16).padStart(8, "0")}`));
    await run(client.command(`CFG.DATA 0 ${hex}`));
    const r = await run(client.request("CFG.COMMIT"));
    expect(r.code).toBe("crc-mismatch");
    expect(r.detail).toContain(crc32(body).toString(16).toUpperCase().padStart(8, "0"));
    expect(host.config).toBe(before);
    expect((await run(client.request("CFG.BEGIN 5000 00000000"))).detail).toBe(
      "config of 5000 bytes; this node takes 1..4096",
    );
  });

  it("CFG.READ past the end names the offset; the largest reply still fits the line limit", async () => {
    const { client, host, run, link } = rig();
    host.config = new Uint8Array(4096).fill(0xab);
    expect((await run(client.request("CFG.READ 5000"))).detail).toBe(
      "offset 5000 is past the end of the 4096-byte config",
    );
    const r = await run(client.command("CFG.READ 3904"));
    expect(r.fields.len).toBe("96");
    const longest = Math.max(...link.receivedText.split("\r\n").map((l) => l.length + 2));
    expect(longest).toBeLessThanOrEqual(256);
    expect(await run(client.readConfig())).toEqual(host.config);
  });
});

describe("provisioning console: keys, calibration, bump test, reboot", () => {
  it("KEY.SET answers with the key check value only; the key never crosses back", async () => {
    const { client, host, run, link } = rig();
    const key = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const keyHex = Buffer.from(key).toString("hex").toUpperCase();
    await run(client.auth(SECRET));
    expect(await run(client.keyCheckValue("mac"))).toBeNull();
    expect(await run(client.writeKey("mac", key))).toBe(kcvOf(key));
    expect(host.keys.get("mac")).toEqual(key);
    expect(await run(client.keyCheckValue("mac"))).toBe(kcvOf(key));
    const short = await run(client.request("KEY.SET mac 0011"));
    expect(short).toMatchObject({ code: "bad-length", fields: { field: "key" } });
    expect((await run(client.request("KEY.SET vault 00112233445566778899aabbccddeeff"))).code).toBe(
      "unknown-slot",
    );
    expect((await run(client.request("KEY.SET mac 0x11"))).detail).toBe(
      "a key is 1..64 bytes in hex, got 4 characters that are not",
    );
    expect(link.receivedText).not.toContain(keyHex);
    expect(link.receivedText.toLowerCase()).not.toContain(keyHex.toLowerCase());
  });

  it("zero and span calibration pass the runtime's result or refusal through", async () => {
    const { client, host, run } = rig();
    await run(client.auth(SECRET));
    expect(await run(client.calibrateZero("CO"))).toEqual({ value: 0, unit: "ppm" });
    expect(await run(client.calibrateSpan("CH4", 2.5))).toEqual({ value: 2.5, unit: "%vol" });
    expect(host.calls).toContain("calibrate CH4 span 2.5");
    const over = await run(client.request("CAL.SPAN CO 1000"));
    expect(over).toMatchObject({ code: "out-of-range", fields: { field: "span" } });
    expect(over.detail).toContain("span 1000 ppm exceeds");
    expect((await run(client.request("CAL.SPAN CO -3"))).detail).toBe(
      'span needs the applied concentration as a number > 0, got "-3"',
    );
    expect((await run(client.request("CAL.ZERO NO2"))).code).toBe("unknown-gas");
  });

  it("bump-test mode on and off; the live reading shows the alarm the node is in", async () => {
    const { client, host, run } = rig();
    await run(client.auth(SECRET));
    await run(client.bumpTest(true, "CH4"));
    host.readings.CH4 = 2.48;
    expect(await run(client.reading("CH4"))).toEqual({ value: 2.48, unit: "%vol", alarm: "high" });
    expect((await run(client.identify())).bumpTest).toBe(true);
    await run(client.bumpTest(false));
    expect(host.bump.on).toBe(false);
  });

  it("REBOOT: the OK leaves the UART before the runtime restarts, and the session is over", async () => {
    const { client, clock, host, run, link } = rig();
    await run(client.auth(SECRET));
    await run(client.reboot());
    expect(link.receivedText).toMatch(/OK rebooting\*[0-9A-F]{4}\r\n$/);
    expect(host.reboots).toBe(0);
    clock.advance(50);
    expect(host.reboots).toBe(1);
    expect((await run(client.identify())).authenticated).toBe(false);
  });

  it("INTERLOCK.RESET needs the secret and passes the runtime's refusal or result through", async () => {
    const { client, host, run } = rig();
    expect(await run(client.request("INTERLOCK.RESET"))).toMatchObject({ ok: false, code: "locked" });
    expect(host.calls).not.toContain("resetInterlock");
    await run(client.auth(SECRET));
    expect(await run(client.request("INTERLOCK.RESET"))).toMatchObject({
      code: "nothing-latched",
      fields: { field: "interlock" },
    });
    host.interlockLatched = true;
    host.readings.CH4 = 1.2;
    const high = await run(client.request("INTERLOCK.RESET"));
    expect(high).toMatchObject({ code: "gas-high", fields: { field: "ch4" } });
    expect(high.detail).toContain("1.2 %vol");
    host.readings.CH4 = 0.4;
    expect(await run(client.resetInterlock())).toEqual({
      state: "energised",
      ch4PctVol: 0.4,
      resetBelowPctVol: 1,
    });
    expect(host.interlockLatched).toBe(false);
    expect(await run(client.request("interlock.reset extra"))).toMatchObject({ code: "bad-arg" });
  });

  it("a runtime method that throws gives ERR host-failed and the console carries on", async () => {
    const { client, host, run } = rig();
    host.throwOn = "reading";
    expect(await run(client.request("READ CO"))).toMatchObject({
      code: "host-failed",
      detail: "reading exploded",
    });
    expect((await run(client.reading("CO"))).value).toBe(1);
  });
});

describe("provisioning console: a lossy line", () => {
  it("a lost reply is retried with the same seq and answered from the cache, not run twice", async () => {
    const { client, host, run, link } = rig();
    await run(client.auth(SECRET));
    link.dropReplies = 1;
    expect(await run(client.calibrateZero("CO"))).toEqual({ value: 0, unit: "ppm" });
    expect(client.retriesUsed).toBe(1);
    expect(host.calls.filter((c) => c.startsWith("calibrate"))).toHaveLength(1);
  });

  it("a node that never answers: the client gives up with a timeout after its retries", async () => {
    const { clock, board } = rig();
    const lonely = new ConsoleClient({ clock, timeoutMs: 500, retries: 2 });
    board.attachSerial(9, lonely);
    lonely.connect({ baud: 115200, send: () => {} });
    const err = await import("../../tools/console/drive.js").then(({ runUntilSettled }) =>
      runUntilSettled(clock, lonely.identify()).catch((e) => e),
    );
    expect(err).toMatchObject({ code: "timeout" });
    expect(err.message).toBe(
      "node did not answer ID after 3 tries of 500 ms: check the cable and that the node is powered",
    );
  });
});
