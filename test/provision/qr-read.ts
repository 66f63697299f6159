/**
 * Reads a QR symbol back with an independent decoder (npm `jsqr`, a camera-image QR reader): the modules are
 * drawn as pixels, 4 per module with the 4-module quiet zone, as a label printer or a screen would show them.
 */
import jsQR from "jsqr";

export interface Read {
  /** The payload bytes. */
  bytes: number[];
  text: string;
  version: number;
}

/** Decodes the symbol whose module (row, column) is dark when `dark(r, c)`; undefined when jsQR finds none. */
export function readQr(size: number, dark: (r: number, c: number) => boolean): Read | undefined {
  const scale = 4;
  const quiet = 4;
  const side = (size + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      if (!dark(r, c)) continue;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const i = (((r + quiet) * scale + y) * side + (c + quiet) * scale + x) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
    }
  const found = jsQR(rgba, side, side, { inversionAttempts: "dontInvert" });
  if (!found) return undefined;
  return { bytes: found.binaryData, text: found.data, version: found.version };
}
