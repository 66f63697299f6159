/**
 * An independent Steim-2 decoder for the tests, written from the SEED Reference Manual v2.4, appendix B
 * ("Steim2 compression"), to check seisplotjs's decoding of real records. Deliberately plain: reads the fixed
 * header with DataView (big-endian, as the test file's blockette 1000 declares), walks the 64-byte frames.
 */
export interface ReferenceRecord {
  station: string;
  channel: string;
  numSamples: number;
  /** BTime fields of the fixed header (field 8). */
  year: number;
  dayOfYear: number;
  hour: number;
  minute: number;
  second: number;
  tenthMilli: number;
  samples: Int32Array;
}

function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

export function decodeSteim2Record(bytes: Uint8Array): ReferenceRecord {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n)).trim();
  const numSamples = v.getUint16(30);
  const dataOffset = v.getUint16(44);
  const diffs: number[] = [];
  let x0 = 0;
  let xn = 0;
  for (let frame = dataOffset; frame + 64 <= bytes.length; frame += 64) {
    const control = v.getUint32(frame);
    for (let w = 1; w < 16; w++) {
      const nibble = (control >>> (30 - 2 * w)) & 3;
      const word = v.getUint32(frame + 4 * w);
      if (frame === dataOffset && w === 1) x0 = word | 0;
      else if (frame === dataOffset && w === 2) xn = word | 0;
      else if (nibble === 1)
        for (let k = 0; k < 4; k++) diffs.push(signExtend((word >>> (24 - 8 * k)) & 0xff, 8));
      else if (nibble === 2 || nibble === 3) {
        const dnib = word >>> 30;
        // [count, bits] per (nibble, dnib): SEED manual appendix B, Steim2 table.
        const layout: Record<string, [number, number]> = {
          "2,1": [1, 30],
          "2,2": [2, 15],
          "2,3": [3, 10],
          "3,0": [5, 6],
          "3,1": [6, 5],
          "3,2": [7, 4],
        };
        const l = layout[`${nibble},${dnib}`];
        if (!l) throw new Error(`bad Steim2 dnib ${dnib} for nibble ${nibble}`);
        const [count, bits] = l;
        for (let k = 0; k < count; k++) {
          const shift = bits * (count - 1 - k);
          diffs.push(signExtend((word >>> shift) & ((1 << bits) - 1), bits));
        }
      }
    }
  }
  const samples = new Int32Array(numSamples);
  samples[0] = x0;
  for (let i = 1; i < numSamples; i++) samples[i] = samples[i - 1]! + diffs[i]!;
  if (samples[numSamples - 1] !== xn) throw new Error(`reverse integration constant ${xn} != last sample`);
  return {
    station: text(8, 5),
    channel: text(15, 3),
    numSamples,
    year: v.getUint16(20),
    dayOfYear: v.getUint16(22),
    hour: v.getUint8(24),
    minute: v.getUint8(25),
    second: v.getUint8(26),
    tenthMilli: v.getUint16(28),
    samples,
  };
}
