/**
 * A cable pulled during a config write: the transfer is cut after every line boundary and in the middle
 * of every line (also between the CR and the LF of the COMMIT line). After re-plugging, the node must hold
 * its previous config unless the COMMIT line had fully arrived, and then exactly the new one: never a mix,
 * never a partial config. A second attempt from a fresh client must then go through.
 */
import { describe, expect, it } from "vitest";
import { crc32 } from "../../protocol/checksums.js";
import { ConsoleClient } from "../../tools/console/client.js";
import { configBytes, GOOD_CONFIG } from "./console-fake-host.js";
import { rig } from "./console-rig.js";

const SECRET = "s3cret-pass";
const NEXT = configBytes({ ...GOOD_CONFIG, nodeId: "kz-zh-0099", note: "y".repeat(200) });

/** The bytes a full, clean write puts on the wire towards the node, split into its lines. */
async function cleanTransferLines(): Promise<string[]> {
  const { client, run, link } = rig();
  await run(client.auth(SECRET));
  const start = link.toNode.length;
  await run(client.writeConfig(NEXT));
  const text = new TextDecoder().decode(Uint8Array.from(link.toNode.slice(start)));
  return text.split(/(?<=\r\n)/);
}

describe("config write cut by a pulled cable", async () => {
  const lines = await cleanTransferLines();
  // BEGIN, 3 DATA (243 bytes), COMMIT, ID (the client's read-back)
  const commitIndex = lines.findIndex((l) => / CFG\.COMMIT\*/.test(l));
  const cuts: { at: number; label: string }[] = [];
  let offset = 0;
  for (let i = 0; i <= commitIndex; i++) {
    const n = lines[i]!.length;
    const name = / ([^\s*]+)/.exec(lines[i]!)?.[1];
    cuts.push({ at: offset, label: `before line ${i} (${name})` });
    cuts.push({ at: offset + (n >> 1), label: `middle of line ${i} (${name})` });
    cuts.push({ at: offset + n - 1, label: `between CR and LF of line ${i} (${name})` });
    offset += n;
  }
  const commitLineEnd = offset;

  it("the clean transfer is BEGIN, DATA x3, COMMIT", () => {
    expect(lines.slice(0, commitIndex + 1).map((l) => / ([^\s*]+)/.exec(l)?.[1])).toEqual([
      "CFG.BEGIN",
      "CFG.DATA",
      "CFG.DATA",
      "CFG.DATA",
      "CFG.COMMIT",
    ]);
  });

  it.each(cuts)(
    "cut $label: previous config or, only after the whole COMMIT line, the new one",
    async ({ at }) => {
      const { client, clock, host, run, link } = rig();
      const before = host.config;
      await run(client.auth(SECRET));
      link.budget = at;
      const failed = await run(client.writeConfig(NEXT)).catch((e) => e);
      expect(failed).toMatchObject({ code: "timeout" });
      // The CR of the COMMIT line ends it: the node commits once it has the CR (the LF is an empty line).
      const committed = at >= commitLineEnd - 1;
      expect(host.config).toEqual(committed ? NEXT : before);
      expect(host.commits).toBe(committed ? 1 : 0);

      // Re-plug with a fresh client (a new session of the CLI): it sees the truth and can finish the job.
      clock.advance(10_000);
      link.budget = Number.POSITIVE_INFINITY;
      const again = new ConsoleClient({ clock, firstSeq: 5000 });
      link.attach(again);
      const id = await run(again.identify());
      expect(id.configCrc).toBe(crc32(committed ? NEXT : before));
      await run(again.auth(SECRET));
      await run(again.writeConfig(NEXT));
      expect(host.config).toEqual(NEXT);
    },
  );
});
