/**
 * Durable whole-file writes for the field-tech files (key files, the registry's anchor): a temporary file
 * written and fsynced, renamed over the old one, and the directory fsynced, so a crash or a power cut
 * leaves the old file or the new one, never a torn one.
 */
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

/** Replaces `file` with `text` durably; the file gets `mode` (an older temporary file is re-moded). */
export function writeFileDurably(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    chmodSync(tmp, mode);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/** fsyncs a directory, so a rename or an unlink in it survives a power cut. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform opens a directory (Windows): the rename is still atomic there.
  }
}
