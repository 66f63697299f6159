/**
 * The demo scenario against Debian's mosquitto as an external broker (`--broker mqtt://host:port`), with
 * the run's per-node credentials and the ACL (acl.ts) in mosquitto's password and acl files. Skipped with a
 * visible message where mosquitto is absent (.ci/run installs it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { loadScenario } from "../../host-sim/sim/load.js";
import { accountsFor } from "../../host-sim/sim/shard.js";
import { findMosquitto, MosquittoBroker } from "../../site/broker/mosquitto.js";

const binary = findMosquitto();
if (!binary)
  console.warn(
    "SKIPPED test/e2e/sim-mosquitto.test.ts: mosquitto is not installed (apt-get install mosquitto)",
  );

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!binary)("minewatch sim on mosquitto", () => {
  it("runs the demo through an external mosquitto and every expectation holds", async () => {
    const { scenario, file } = loadScenario("demo");
    const seed = scenario.seed;
    const broker = await MosquittoBroker.start({ accounts: accountsFor(scenario, seed) });
    cleanups.push(() => broker.dispose());
    const result = await runFleet({ scenario, file, seed, shards: 1, brokerUrl: broker.url });
    expect(result.broker).toEqual({ kind: "external", url: broker.url });
    for (const e of result.expectations) expect(e, e.reason).toMatchObject({ passed: true });
    expect(result.totals.framesDelivered).toBeGreaterThan(10);
    expect(result.nodes[0]!.frames.filter((f) => f.deliveredMs !== null).every((f) => f.via === "mqtt")).toBe(
      true,
    );
  });
});
