import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { FrameMac } from "../protocol/auth.js";

/**
 * The host's FrameMac: HMAC-SHA256 from @noble/hashes (a vetted, audited library), truncated to out4's length.
 * On the board the same interface is implemented over Moddable's native crypto.
 */
export const nobleFrameMac: FrameMac = {
  mac(key, data, out4) {
    out4.set(hmac(sha256, key, data).subarray(0, out4.length));
  },
};
