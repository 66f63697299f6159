/**
 * `status`: which nodes are due. For every node's latest provisioning and every gas it answered for: the
 * last PASSING bump test, and the last passing SPAN calibration (a zero alone does not prove sensitivity),
 * against the intervals: bump tests every `bumpDays` (tolerances.ts BUMP_INTERVAL_DAYS, DEFAULT), calibration
 * every `calIntervalMs` of the node's set-point profile for that gas. Never done counts as overdue: a new
 * node is listed until it has been bump-tested and calibrated. A FAILED test or calibration newer than the
 * last pass is listed whatever the interval: that sensor is not to be trusted until it passes again
 * (ISEA: calibrate after a failed bump test; take it out of service if the calibration fails).
 */
import { gasProfileNamed } from "../../firmware/sensing/profiles/index.js";
import type { GasName } from "../../firmware/sensing/profiles/types.js";
import { currentNodes, type RegistryRecord } from "./registry.js";

const DAY_MS = 86_400_000;

export interface DueItem {
  nodeId: string;
  site: string;
  level: string;
  location: string;
  gas: string;
  what: "bump-test" | "calibration";
  /** ISO time of the last passing one, or null (never). */
  last: string | null;
  intervalDays: number;
  /** Days past due (> 0 overdue); null when never done. */
  overdueDays: number | null;
  /** ISO time of a failure newer than the last pass (then it is listed whatever the interval). */
  failed: string | null;
}

export function dueItems(records: readonly RegistryRecord[], now: Date, bumpDays: number): DueItem[] {
  const out: DueItem[] = [];
  for (const node of currentNodes(records).values()) {
    for (const gas of node.gases ?? []) {
      const latest = (pred: (r: RegistryRecord) => boolean, result?: "pass"): RegistryRecord | undefined => {
        let found: RegistryRecord | undefined;
        for (const r of records)
          if (r.nodeId === node.nodeId && r.gas === gas && (!result || r.result === result) && pred(r))
            found = r;
        return found;
      };
      const isBump = (r: RegistryRecord): boolean => r.kind === "bump-test";
      const isCal = (r: RegistryRecord): boolean => r.kind === "calibration";
      let calMs: number;
      try {
        calMs = gasProfileNamed(node.profile).gases[gas.toLowerCase() as GasName].calIntervalMs;
      } catch {
        calMs = 30 * DAY_MS; // a profile this build does not know: the shortest built-in default
      }
      const checks: [DueItem["what"], RegistryRecord | undefined, RegistryRecord | undefined, number][] = [
        ["bump-test", latest(isBump, "pass"), latest(isBump), bumpDays * DAY_MS],
        // A zero calibration alone does not prove sensitivity; a failed zero still marks the sensor failed.
        ["calibration", latest((r) => isCal(r) && r.mode === "span", "pass"), latest(isCal), calMs],
      ];
      for (const [what, last, newest, intervalMs] of checks) {
        const overdueMs = last ? now.getTime() - Date.parse(last.at) - intervalMs : null;
        const failed = newest?.result === "fail" ? newest.at : null;
        if (overdueMs !== null && overdueMs <= 0 && !failed) continue;
        out.push({
          nodeId: node.nodeId,
          site: node.site,
          level: node.level,
          location: node.location,
          gas,
          what,
          last: last?.at ?? null,
          intervalDays: intervalMs / DAY_MS,
          overdueDays: overdueMs === null ? null : Math.floor((overdueMs / DAY_MS) * 10) / 10,
          failed,
        });
      }
    }
  }
  return out;
}

export function formatDue(items: readonly DueItem[], nodes: number): string[] {
  if (items.length === 0) return [`${nodes} node(s) registered; no bump test or calibration is due`];
  const rows = items.map((d) => [
    d.nodeId,
    `${d.site} ${d.level} ${d.location}`,
    d.gas,
    d.what,
    d.failed
      ? `FAILED ${d.failed.slice(0, 10)}${d.last ? `, passed ${d.last.slice(0, 10)}` : ""}`
      : d.last
        ? `${d.last.slice(0, 10)} (+${d.overdueDays} d over ${d.intervalDays} d)`
        : "never",
  ]);
  const head = ["node", "place", "gas", "due", "last result"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join("  ")
      .trimEnd();
  return [
    `${items.length} overdue item(s) on ${new Set(items.map((d) => d.nodeId)).size} node(s):`,
    line(head),
    ...rows.map(line),
  ];
}
