/**
 * `provision` end to end against simulated nodes (the real runtime and console on the virtual clock, state
 * kept between runs), and every error a tech meets: wrong port, port busy, node not answering, wrong secret,
 * cable pulled mid-write (the node keeps its previous config), bad YAML, unsafe config, a moved node.
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SimNode } from "../../host-sim/node/sim-node.js";
import { crc32 } from "../../protocol/checksums.js";
import { decodeProvisioning, encodeProvisioning } from "../../protocol/provisioning-record.js";
import { ProvisionError } from "../../tools/provision/errors.js";
import {
  beginRotation,
  commitRotation,
  keyCheckValue,
  keyFilePath,
  pendingKeyPath,
  readKeyFile,
  settleRotation,
} from "../../tools/provision/keys.js";
import { parseNodeConfig } from "../../tools/provision/node-config.js";
import { openPort } from "../../tools/provision/port.js";
import { provision } from "../../tools/provision/provision.js";
import { fingerprint } from "../../tools/provision/session.js";
import type { SimPort } from "../../tools/provision/sim-port.js";
import { FACE_YAML, rig } from "./rig.js";

describe("provision against a simulated node", () => {
  it("writes, reboots, reads back, records; the next run finds the node as provisioned", async () => {
    const t = rig();
    const { entry, summary } = await t.provision("face-7");
    const factoryId = t.state("face-7").factoryNodeId;
    expect(entry).toMatchObject({
      seq: 1,
      kind: "provision",
      nodeId: factoryId,
      site: "karaganda-lenina",
      result: "pass",
    });
    expect(entry.gases).toEqual(["CH4", "CO", "O2", "H2S"]);
    expect(summary[0]).toBe(`provisioned node ${factoryId} on sim:face-7`);
    expect(summary.join("\n")).toMatch(/CH4 A1 0\.7 A2 1 %vol/);
    // The record the node holds (read through its console in a new run) is what node.yaml says.
    const held = await t.heldConfig("face-7");
    expect(fingerprint(held)).toBe(entry.cfg);
    const r = decodeProvisioning(held);
    expect([r.site, r.level, r.location, r.profile, r.override]).toEqual([
      "karaganda-lenina",
      "-420 m",
      "face",
      "kz-ru-coal",
      "",
    ]);
    expect(r.config.params[2]).toBe(70); // ch4A1CentiPctVol
    // Generated keys went to a 0600 file; the node holds them (same key check values); the summary has no key.
    const keys = JSON.parse(t.readText(entry.keysFile!)) as Record<string, string>;
    expect(statSync(entry.keysFile!).mode & 0o777).toBe(0o600);
    expect(entry.kcv).toEqual({
      mac: keyCheckValue(Buffer.from(keys.mac!, "hex")),
      "lorawan-appkey": keyCheckValue(Buffer.from(keys["lorawan-appkey"]!, "hex")),
    });
    expect(summary.join("\n")).not.toContain(keys.mac!);
    expect(summary.join("\n").toLowerCase()).not.toContain(keys.mac!.toLowerCase());
    expect(t.readText(t.registryFile)).not.toContain(keys.mac!);
  });

  it("ID's cfgcrc identifies the record: two records, two CRCs, each the CRC-32 of the bytes held", async () => {
    const t = rig();
    await t.provision("c0");
    const a = await t.onPort("c0", (p) => p.run(p.client.identify()));
    const first = await t.heldConfig("c0");
    await t.provision("c0", FACE_YAML.replace("a1: 0.7", "a1: 0.6"));
    const b = await t.onPort("c0", (p) => p.run(p.client.identify()));
    const second = await t.heldConfig("c0");
    expect(second).not.toEqual(first);
    expect(a.configCrc).toBe(crc32(first));
    expect(b.configCrc).toBe(crc32(second));
    expect(b.configCrc).not.toBe(a.configCrc);
    expect(a.configCrc).not.toBe(0x2144df1c); // not the CRC-32 residue constant (version 1 records)
  });

  it("the read-back compares cfgcrc: a node holding another record of the same length after the reboot fails", async () => {
    const t = rig();
    await t.provision("rb");
    const err = await t.onPort("rb", async (port) => {
      const node = (port as unknown as { node: SimNode }).node;
      const client = port.client;
      const reboot = client.reboot.bind(client);
      // Something else commits a record (same length: only the site's letters differ) before the reboot.
      client.reboot = () => {
        const r = decodeProvisioning(node.consoleHost!.readConfig());
        r.site = r.site.toUpperCase();
        expect(node.consoleHost!.commitConfig(encodeProvisioning(r))).toBeNull();
        return reboot();
      };
      return provision(port, {
        ...t.common,
        configFile: "node.yaml",
        config: parseNodeConfig(FACE_YAML),
        override: undefined,
        keys: undefined,
        keysFile: undefined,
        newKeys: false,
        keysDir: t.keysDir,
        say: () => {},
      }).then(
        () => undefined,
        (e: Error) => e,
      );
    });
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as ProvisionError).code).toBe("readback");
    expect(err!.message).toMatch(/config \d+ bytes CRC [0-9A-F]{8}; expected .* \d+ bytes CRC [0-9A-F]{8}/);
  });

  it("re-provisioning keeps the node's keys (no silent rotation); --new-keys replaces them", async () => {
    const t = rig();
    const first = await t.provision("k1");
    const again = await t.provision("k1", FACE_YAML.replace("a1: 0.7", "a1: 0.6"));
    expect(again.entry.kcv).toEqual(first.entry.kcv);
    expect(again.summary.join("\n")).toMatch(/kept: the node's keys are unchanged/);
    expect(existsSync(`${first.entry.keysFile}.prev`)).toBe(false);
    const rotated = await t.provision("k1", FACE_YAML, { newKeys: true });
    expect(rotated.entry.kcv?.mac).not.toBe(first.entry.kcv?.mac);
    expect(existsSync(`${first.entry.keysFile}.prev`)).toBe(true); // the old key file is kept aside
  });

  it("takes keys from --keys and re-provisioning at the same place needs no override", async () => {
    const t = rig();
    await t.provision("n1");
    const mac = Uint8Array.from({ length: 16 }, (_, i) => 7 + 13 * i);
    // A placeholder key (every byte the same) is refused before anything is written (issue 14 item 10).
    await expect(
      t.provision("n1", FACE_YAML, { keys: new Map([["mac", new Uint8Array(16).fill(7)]]) }),
    ).rejects.toThrow(/^keys\.json: the mac key has every byte the same \(one repeated byte\)/);
    await expect(
      t.provision("n1", FACE_YAML, { keys: new Map([["mac", new Uint8Array(16)]]) }),
    ).rejects.toThrow(/the mac key has every byte the same \(all zero\)/);
    const keys = new Map([["mac", mac]]);
    const { entry } = await t.provision("n1", FACE_YAML.replace("a1: 0.7", "a1: 0.6"), { keys });
    expect(entry.kcv).toEqual({ mac: keyCheckValue(mac) });
    expect(decodeProvisioning(await t.heldConfig("n1")).config.params[2]).toBe(60);
  });

  it("refuses a looser set-point without --override, names every one; records the override", async () => {
    const t = rig();
    const loose = FACE_YAML.replace("ch4: { a1: 0.7 }", "ch4: { a1: 0.9, a2: 1.2 }\n  co: { a2: 20 }");
    await expect(t.provision("n2", loose)).rejects.toThrow(
      /setpoints\.ch4\.a1 0\.9 %vol is above profile kz-ru-coal's 0\.8 %vol at face; setpoints\.ch4\.a2 1\.2 %vol is above .* 1 %vol .*; setpoints\.co\.a2 20 ppm is above .* 17 ppm .*: make it stricter, or accept it with --override/,
    );
    expect(t.records()).toEqual([]); // nothing written, nothing recorded
    expect((await t.heldConfig("n2")).length).toBe(0);
    const { entry } = await t.provision("n2", loose, { override: "MSHA variance 2026-117, shift engineer" });
    expect(entry.override).toBe("MSHA variance 2026-117, shift engineer");
    expect(entry.note).toMatch(/setpoints\.co\.a2 20 ppm/);
    expect(decodeProvisioning(await t.heldConfig("n2")).override).toBe(
      "MSHA variance 2026-117, shift engineer",
    );
  });

  it("refuses an override nothing needs, impossible calibration, values the sensor cannot reach", async () => {
    const t = rig();
    await expect(t.provision("n3", FACE_YAML, { override: "just because" })).rejects.toThrow(
      /nothing needs one/,
    );
    await expect(t.provision("n3", `${FACE_YAML}calibration:\n  co: { gain: 3 }\n`)).rejects.toThrow(
      /calibration\.co gain 3 is outside 0\.5\.\.2: .*no override can accept this/,
    );
    await expect(t.provision("n3", `${FACE_YAML}calibration:\n  co: { offset: 80 }\n`)).rejects.toThrow(
      /zero offset 80 ppm exceeds \+-50 ppm/,
    );
    await expect(
      t.provision("n3", FACE_YAML.replace("ch4: { a1: 0.7 }", "co: { a1: 9, a2: 600 }"), { override: "x" }),
    ).rejects.toThrow(/setpoints\.co\.a2 600 ppm is outside the sensor's range 0\.\.500 ppm/);
    expect(t.records()).toEqual([]);
  });

  it("keeps the node's own calibration when node.yaml gives none", async () => {
    const t = rig();
    await t.provision("n4");
    t.setState("n4", (s) => {
      s.drift.CO = { gain: 0.8, offset: 0 };
    });
    expect((await t.calibrate("n4", "CO", "span", 100)).pass).toBe(true);
    const before = decodeProvisioning(await t.heldConfig("n4"));
    expect(Number.isFinite(before.calGain[1]!)).toBe(true); // a span calibration is stored
    expect(Number.isNaN(before.calGain[0]!)).toBe(true); // CH4 still on its factory front end
    await t.provision("n4", FACE_YAML.replace("a1: 0.7", "a1: 0.65"));
    expect(decodeProvisioning(await t.heldConfig("n4")).calGain[1]).toBe(before.calGain[1]);
  });

  it("a node moved to another place, or node.yaml for another node, is refused; an override records the move", async () => {
    const t = rig();
    await t.provision("n5");
    const moved = FACE_YAML.replace("location: face", "location: return");
    await expect(t.provision("n5", moved)).rejects.toThrow(
      /node [0-9a-f]{16} is registered at karaganda-lenina -420 m face, provisioned .*; node\.yaml puts it at karaganda-lenina -420 m return: .*--override/,
    );
    const { entry } = await t.provision("n5", moved, {
      override: "moved to tailgate return, work order 5521",
    });
    expect(entry.previousPlace).toBe("karaganda-lenina -420 m face");
    await expect(t.provision("n5", `nodeId: 0011223344556677\n${FACE_YAML}`)).rejects.toThrow(
      /node\.yaml is for node 0011223344556677 but sim:n5 is node [0-9a-f]{16}: connect the right node/,
    );
  });

  it("bad YAML: one line with where and what to do", async () => {
    expect(() => parseNodeConfig("site: a\nlevel: [1,\n b: 2\n", "node.yaml")).toThrow(
      /^node\.yaml line \d+ column \d+: not valid YAML \(.+\): fix the file and run again$/,
    );
  });

  it("wrong secret: refused with tries left; nothing written", async () => {
    const t = rig();
    await expect(t.provision("n6", FACE_YAML, { secret: "not-the-secret" })).rejects.toMatchObject({
      code: "auth",
      message: expect.stringMatching(
        /node refused the provisioning secret \(wrong secret; 2 tries left.*\): check MINEWATCH_SECRET/,
      ),
    });
    expect((await t.heldConfig("n6")).length).toBe(0);
  });

  it("node not answering (powered off): one line", async () => {
    const t = rig();
    await t.provision("n7");
    await expect(t.provision("n7", FACE_YAML, { faults: ["mute"] })).rejects.toMatchObject({
      code: "no-answer",
      message:
        "node does not answer on sim:n7: check it is powered and the cable is in, and that nothing else uses the port",
    });
  });

  it.each(["CFG.BEGIN", "CFG.DATA", "CFG.COMMIT"])(
    "cable pulled in the middle of %s: the node keeps its previous config, a new run then succeeds",
    async (command) => {
      const t = rig();
      const first = await t.provision("n8");
      const changed = FACE_YAML.replace("a1: 0.7", "a1: 0.5");
      await expect(t.provision("n8", changed, { faults: [`cut-at=${command}`] })).rejects.toMatchObject({
        code: "link-lost",
        message: expect.stringMatching(
          /^link to the node lost while writing the config .*keeps its previous config/,
        ),
      });
      const held = await t.heldConfig("n8");
      expect(fingerprint(held)).toBe(first.entry.cfg);
      expect(decodeProvisioning(held).config.params[2]).toBe(70);
      expect(t.records()).toHaveLength(1); // the failed run recorded nothing
      const again = await t.provision("n8", changed);
      expect(decodeProvisioning(await t.heldConfig("n8")).config.params[2]).toBe(50);
      expect(again.entry.seq).toBe(2);
    },
  );

  it("wrong port: bad name, unknown simulated node, a serial device that is not there", async () => {
    const t = rig();
    await expect(openPort(undefined)).rejects.toThrow(/no --port given/);
    await expect(openPort("sim:../etc", { simDir: t.simDir })).rejects.toMatchObject({ code: "wrong-port" });
    await expect(openPort("sim:nope", { simDir: t.simDir })).rejects.toThrow(
      /no simulated node "nope" in .*: check the name \(or --sim-dir\), or provision it first/,
    );
    // Through the real serialport package (it installs with minewatch) and its native binding.
    await expect(openPort("/dev/ttyUSB9")).rejects.toMatchObject({
      code: "wrong-port",
      message: expect.stringMatching(/^no serial port \/dev\/ttyUSB9: check the cable is plugged in/),
    });
    await expect(openPort("/dev/ttyUSB9", { simFaults: ["mute"] })).rejects.toThrow(
      /--sim-fault works on simulated nodes only/,
    );
  });

  it("port busy: another live run holds the node; a stale lock is taken over", async () => {
    const t = rig();
    await t.provision("n9");
    const lock = path.join(t.simDir, "n9.lock");
    writeFileSync(lock, String(process.ppid)); // a process that is alive and is not us
    await expect(t.provision("n9")).rejects.toMatchObject({
      code: "port-busy",
      message: expect.stringMatching(/^port sim:n9 is busy: another minewatch run \(pid \d+\)/),
    });
    writeFileSync(lock, "999999999"); // no such process: a crashed run's lock
    await t.provision("n9");
    expect(existsSync(lock)).toBe(false);
  });
});

describe("key rotation (--new-keys) journalled: a cut at every point (issue 14 item 6)", () => {
  /** Check values of the keys a key file holds, per slot (none when the file is not there). */
  const kcvs = (file: string): Record<string, string> =>
    existsSync(file)
      ? Object.fromEntries([...readKeyFile(file)].map(([slot, key]) => [slot, keyCheckValue(key)]))
      : {};

  it("the keys the node holds are on disk after every cut, two cut runs in a row included; the next run confirms them", async () => {
    // The command lines a --new-keys run sends to a provisioned node: every one is a cut point.
    const probe = rig();
    await probe.provision("p");
    const lines = await probe.onPort("p", async (port) => {
      await provision(port, {
        ...probe.common,
        configFile: "node.yaml",
        config: parseNodeConfig(FACE_YAML),
        override: undefined,
        keys: undefined,
        keysFile: undefined,
        newKeys: true,
        keysDir: probe.keysDir,
        say: () => {},
      });
      return (port as SimPort).linesSent;
    });
    expect(lines).toBeGreaterThan(10);
    for (let n = 1; n <= lines + 1; n++) {
      const t = rig();
      const { nodeId } = (await t.provision("k")).entry;
      const live = keyFilePath(t.keysDir, nodeId);
      const pending = pendingKeyPath(t.keysDir, nodeId);
      const held = () =>
        t.onPort("k", async (p) => ({
          mac: (await p.run(p.client.keyCheckValue("mac")))!,
          "lorawan-appkey": (await p.run(p.client.keyCheckValue("lorawan-appkey")))!,
        }));
      for (let run = 1; run <= 2; run++) {
        const cut = await t.provision("k", FACE_YAML, { newKeys: true, faults: [`cut-at-line=${n}`] }).then(
          () => undefined,
          (e: Error) => e,
        );
        if (cut) expect(cut, `line ${n} run ${run}`).toBeInstanceOf(ProvisionError);
        const node = await held();
        const onDisk = [kcvs(live), kcvs(pending)];
        for (const slot of ["mac", "lorawan-appkey"] as const)
          expect(
            onDisk.some((k) => k[slot] === node[slot]),
            `cut at line ${n}, run ${run}: the node's ${slot} key is on disk`,
          ).toBe(true);
        // Until the node confirms a rotation, the confirmed file still holds what the node has.
        if (existsSync(pending) && !Object.values(kcvs(pending)).includes(node.mac))
          expect(kcvs(live).mac, `cut at line ${n}, run ${run}`).toBe(node.mac);
        for (const f of [live, pending, `${live}.prev`])
          if (existsSync(f)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
      }
      // The next run (keys kept) settles the journal: the confirmed file is exactly what the node holds.
      const next = await t.provision("k");
      expect(existsSync(pending), `line ${n}`).toBe(false);
      expect(kcvs(live), `line ${n}`).toEqual(await held());
      expect(next.entry.kcv, `line ${n}`).toEqual(kcvs(live));
    }
  }, 120_000);

  it("settles a journal from the check values the node reports, slot by slot", () => {
    const dir = path.join(rig().dir, "keys");
    const key = (b: number) => Uint8Array.from({ length: 16 }, (_, i) => b + i);
    const id = "70b3d57e00000001";
    commitRotation(
      dir,
      id,
      new Map([
        ["mac", key(1)],
        ["lorawan-appkey", key(2)],
      ]),
    );
    beginRotation(
      dir,
      id,
      new Map([
        ["mac", key(3)],
        ["lorawan-appkey", key(4)],
      ]),
    );
    // The node took the new MAC key, the cut came before the AppKey.
    expect(
      settleRotation(dir, id, { mac: keyCheckValue(key(3)), "lorawan-appkey": keyCheckValue(key(2)) }),
    ).toMatch(/had reached the node \(mac\)/);
    expect(kcvs(keyFilePath(dir, id))).toEqual({
      mac: keyCheckValue(key(3)),
      "lorawan-appkey": keyCheckValue(key(2)),
    });
    expect(kcvs(`${keyFilePath(dir, id)}.prev`).mac).toBe(keyCheckValue(key(1)));
    // A rotation that never reached the node is dropped; the confirmed file is untouched.
    beginRotation(dir, id, new Map([["mac", key(5)]]));
    expect(settleRotation(dir, id, { mac: keyCheckValue(key(3)) })).toMatch(/never reached the node/);
    expect(existsSync(pendingKeyPath(dir, id))).toBe(false);
    expect(kcvs(keyFilePath(dir, id)).mac).toBe(keyCheckValue(key(3)));
    expect(settleRotation(dir, id, {})).toBeUndefined();
  });
});

describe("a node already registered under another id", () => {
  it("is recognised by the MAC key it holds (key check value) and refused without --override", async () => {
    const t = rig();
    const first = await t.provision("r1");
    // The same board comes back with another id (re-flashed factory data) but its NVS still holds the key.
    t.setState("r1", (s) => {
      s.factoryNodeId = "70b3d57e00c0ffee";
      for (const k of ["prov0", "prov1", "provapl"]) delete s.kv[k];
    });
    await expect(t.provision("r1")).rejects.toThrow(
      new RegExp(
        `this node holds the MAC key of registered node ${first.entry.nodeId} \\(karaganda-lenina -420 m face, provisioned .*\\): it is already registered under that id`,
      ),
    );
    const { entry } = await t.provision("r1", FACE_YAML, {
      override: "board re-flashed, old id retired (WO 77)",
    });
    expect(entry).toMatchObject({
      nodeId: "70b3d57e00c0ffee",
      override: "board re-flashed, old id retired (WO 77)",
    });
  });
});
