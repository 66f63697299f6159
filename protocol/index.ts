// The wire protocol's public surface (see SPEC.md).
export * from "./auth.js";
export * from "./decode.js";
export * from "./encode.js";
export * from "./errors.js";
export * from "./examples.js";
export type * from "./frames.js";
export * from "./hex.js";
export * from "./json.js";
export * from "./schema.js";
