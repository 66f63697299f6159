/**
 * scripts/build-firmware.ts: without $MODDABLE it prints one line saying what to install and exits 2; bad
 * arguments get one line and exit 2; with $MODDABLE it plans the documented mcconfig command.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { INSTALL_HINT, planBuild } from "../../scripts/build-firmware.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-firmware.ts", ...args], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const withoutModdable = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.MODDABLE;
  return env;
};

describe("build:firmware", () => {
  it("without $MODDABLE: exit 2, one line naming Moddable SDK 8.2.3 and the getting-started guide", () => {
    const r = run(["--variant", "gas", "--target", "esp32"], withoutModdable());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${INSTALL_HINT}\n`);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/Moddable SDK 8\.2\.3/);
    expect(r.stderr).toMatch(/Getting%20Started\.md/);
  }, 20_000);

  it.each([
    [
      ["--variant", "methane", "--target", "esp32"],
      /--variant must be one of gas, vibration, combo, got "methane"/,
    ],
    [["--variant", "gas", "--target", "heltec"], /--target must be one of esp32, xiao-e5, lin, got "heltec"/],
    [["--variant", "gas"], /--target must be one of .* got ""/],
    [["--variant", "gas", "--target", "lin", "--flash"], /unknown argument "--flash"/],
  ])(
    "bad arguments %j: exit 2, one line",
    (args, message) => {
      const r = run(args, { ...process.env, MODDABLE: "/nonexistent" });
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    },
    20_000,
  );

  it("plans `mcconfig -m -p <platform> [-d] -o <out> manifests/<variant>.json [name=value]`", () => {
    const env = { MODDABLE: root }; // any existing directory
    const esp = planBuild(["--variant", "combo", "--target", "esp32", "--out", "/tmp/x", "ssid=mine"], env);
    expect(esp.command).toBe("mcconfig");
    expect(esp.args).toEqual([
      "-m",
      "-p",
      "esp32/nodemcu",
      "-o",
      "/tmp/x",
      path.join(root, "manifests/combo.json"),
      "ssid=mine",
    ]);
    const xiao = planBuild(["--variant", "gas", "--target", "xiao-e5", "--debug"], env);
    expect(xiao.args.slice(0, 4)).toEqual(["-m", "-p", "esp32/xiao_esp32s3", "-d"]);
    expect(xiao.outDir).toBe(path.join(root, "build", "firmware"));
    expect(planBuild(["--variant", "vibration", "--target", "lin"], env).args[2]).toBe("lin");
  });

  it("mqttHost= must be the broker's IPv4 address: a host name is refused in one line that says why", () => {
    const r = run(["--variant", "combo", "--target", "esp32", "mqttHost=broker.mine.local"], {
      ...process.env,
      MODDABLE: root,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toBe(
      `build:firmware: mqttHost must be the broker's IPv4 address (e.g. 10.0.0.5), got "broker.mine.local": ` +
        "Moddable's MQTT client looks up host names at a hard-coded public DNS server (1.1.1.1), which a mine " +
        "network without internet cannot reach\n",
    );
    const env = { MODDABLE: root };
    for (const bad of ["localhost", "10.0.0", "10.0.0.256", "010.0.0.5", "fd00::5", ""]) {
      expect(() => planBuild(["--variant", "gas", "--target", "esp32", `mqttHost=${bad}`], env)).toThrow(
        /mqttHost must be the broker's IPv4 address/,
      );
    }
    const ok = planBuild(["--variant", "gas", "--target", "esp32", "mqttHost=10.0.0.5", "site=s"], env);
    expect(ok.args.slice(-2)).toEqual(["mqttHost=10.0.0.5", "site=s"]);
  }, 20_000);

  it("a $MODDABLE that does not exist is named in the error", () => {
    expect(() => planBuild(["--variant", "gas", "--target", "lin"], { MODDABLE: "/no/such/sdk" })).toThrow(
      /"\/no\/such\/sdk", which does not exist/,
    );
  });
});
