// `npm run fuzz [-- <count> [<seed>]]`: decodes 1,000,000 (default) mutated frames; prints the outcome
// counts; exits 1 with the seed and frame index if the decoder ever raises anything but a ProtocolError
// or accepts bytes that are not canonical.
import { fuzzDecoder } from "./mutate.js";

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 0x5eed);
if (!Number.isInteger(count) || count < 1) {
  console.error(`fuzz: count must be a positive integer, got "${process.argv[2]}"`);
  process.exit(2);
}
const started = performance.now();
try {
  const r = fuzzDecoder(seed, count);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz: ${r.frames} mutated frames (seed ${seed}) in ${seconds.toFixed(1)} s: ${r.accepted} accepted (canonical)`,
  );
  for (const [code, n] of Object.entries(r.byCode).sort((a, b) => b[1] - a[1]))
    console.log(`  ${code.padEnd(20)} ${n}`);
  console.log("fuzz: no escape: every rejection was a ProtocolError");
} catch (e) {
  console.error(`fuzz: FAILED: ${(e as Error).message}`);
  process.exit(1);
}
