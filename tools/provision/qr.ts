/**
 * The node label's QR code, through npm `qrcode` (a maintained ISO/IEC 18004 encoder): byte mode, error
 * correction level M, the smallest version that fits and the mask with the lowest penalty. The label allows
 * versions 1..6 (up to 106 bytes, 41 modules): larger symbols would print too fine in its 27 mm square.
 */
import { create } from "qrcode";
import { ProvisionError } from "./errors.js";

/** The label's largest content: version 6 at level M in byte mode. */
const MAX_BYTES = 106;

export interface QrCode {
  version: number;
  /** Modules per side: 17 + 4 * version. */
  size: number;
  mask: number;
  /** size * size, row by row, 1 = dark. */
  modules: Uint8Array;
}

/** Encodes `text` (UTF-8) in byte mode at level M in the smallest version 1..6. */
export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > MAX_BYTES)
    throw new ProvisionError(
      "usage",
      `label QR content is ${bytes.length} bytes; at most ${MAX_BYTES} fit (version 6, level M): shorten the site or location`,
      bytes.length,
    );
  const q = create([{ data: bytes, mode: "byte" }], { errorCorrectionLevel: "M" });
  return { version: q.version, size: q.modules.size, mask: q.maskPattern ?? 0, modules: q.modules.data };
}
