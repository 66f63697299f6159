// The host's FrameMac for tests: HMAC-SHA256 from @noble/hashes (vetted), truncated to out4's length.
// (The CLI has the same in tools/cli/decode.ts; see the report about moving it to host-sim/.)
export { nobleFrameMac } from "../../site/frame-mac.js";
