// XS entry: cbor-x (the reference encoder) bundled for XS, metered the same way as entries/protocol.ts so
// the benchmark can put its cost beside ours. Request [op, typeIndex, n]: op 10 encodes the example frame
// object with cbor-x's defaults (a map keyed by field name), 11 decodes that; 12 encodes the same values
// as a bare array (the shape of our body), 13 decodes that.
import { decode, encode } from "cbor-x";
import { EXAMPLES } from "../../../protocol/examples.js";
import { specForType } from "../../../protocol/schema.js";

const objects = EXAMPLES.map((f) => ({ ...f }) as Record<string, unknown>);
const arrays = EXAMPLES.map((f) => {
  const record = f as unknown as Record<string, unknown>;
  const values: unknown[] = specForType(f.type)!.fields.map((field) => record[field.name]);
  if (f.type === 8) for (const e of f.entries) values.push(e.param, e.value);
  return values;
});
const encodedObjects = objects.map((o) => encode(o) as Uint8Array);
const encodedArrays = arrays.map((a) => encode(a) as Uint8Array);
const reply = new Uint8Array(1);

export function handle(request: Uint8Array): Uint8Array {
  const op = request[0]!;
  const t = request[1]!;
  const n = request[2]!;
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (op === 10) size = (encode(objects[t]) as Uint8Array).length;
    else if (op === 11) size = Object.keys(decode(encodedObjects[t]!) as object).length;
    else if (op === 12) size = (encode(arrays[t]) as Uint8Array).length;
    else size = (decode(encodedArrays[t]!) as unknown[]).length;
  }
  reply[0] = size;
  return reply;
}
