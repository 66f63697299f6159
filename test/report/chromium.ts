/**
 * Drives Debian's headless Chromium over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
 * messages separated by NUL on file descriptors 3 and 4), so the test needs no npm browser download and no
 * WebSocket client. Collects what a human would see in the console: console.error / console.warn calls,
 * uncaught exceptions, browser log entries at warning level or above (CSP violations, SVG attribute parse
 * errors), every network request, and any dialog (alert) the page opened.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";

export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium(): string | null {
  const env = process.env.MINEWATCH_CHROMIUM;
  if (env && fs.existsSync(env)) return env;
  return CHROMIUM_PATHS.find((p) => fs.existsSync(p)) ?? null;
}

export interface PageIssues {
  /** Console API calls of type error / warning / assert, and log entries of level error / warning. */
  consoleErrors: string[];
  exceptions: string[];
  /** Every URL the page requested (the document itself included). */
  requests: string[];
  dialogs: string[];
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export class HeadlessChromium {
  readonly issues: PageIssues = { consoleErrors: [], exceptions: [], requests: [], dialogs: [] };
  #proc: ChildProcess;
  #out: Writable;
  #nextId = 0;
  #pending = new Map<number, { resolve: (m: CdpMessage) => void; reject: (e: Error) => void }>();
  #waiters: { method: string; resolve: () => void }[] = [];
  #buffer = "";
  #session = "";
  #profile: string;

  private constructor(binary: string) {
    this.#profile = fs.mkdtempSync(path.join(os.tmpdir(), "mw-chromium-"));
    this.#proc = spawn(
      binary,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        `--user-data-dir=${this.#profile}`,
        "--remote-debugging-pipe",
        "--window-size=1100,900",
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
    );
    this.#out = this.#proc.stdio[3] as Writable;
    (this.#proc.stdio[4] as Readable).on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#proc.on("exit", () => {
      for (const p of this.#pending.values()) p.reject(new Error("chromium exited"));
      this.#pending.clear();
    });
  }

  static async launch(binary: string): Promise<HeadlessChromium> {
    const c = new HeadlessChromium(binary);
    const target = await c.send("Target.createTarget", { url: "about:blank" });
    const attached = await c.send("Target.attachToTarget", { targetId: target.targetId, flatten: true });
    c.#session = attached.sessionId as string;
    for (const domain of ["Runtime", "Log", "Page", "Network"]) await c.send(`${domain}.enable`, {}, true);
    return c;
  }

  #onData(chunk: Buffer): void {
    this.#buffer += chunk.toString("utf8");
    for (let end = this.#buffer.indexOf("\0"); end >= 0; end = this.#buffer.indexOf("\0")) {
      const msg = JSON.parse(this.#buffer.slice(0, end)) as CdpMessage;
      this.#buffer = this.#buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg);
      } else if (msg.method) this.#onEvent(msg.method, msg.params ?? {});
    }
  }

  #onEvent(method: string, p: Record<string, unknown>): void {
    if (method === "Runtime.consoleAPICalled" && ["error", "warning", "assert"].includes(p.type as string)) {
      const args = (p.args as { value?: unknown; description?: string }[]).map(
        (a) => a.value ?? a.description,
      );
      this.issues.consoleErrors.push(`console.${p.type}: ${args.join(" ")}`);
    } else if (method === "Runtime.exceptionThrown") {
      const d = p.exceptionDetails as { text: string; exception?: { description?: string } };
      this.issues.exceptions.push(`${d.text} ${d.exception?.description ?? ""}`);
    } else if (method === "Log.entryAdded") {
      const e = p.entry as { level: string; text: string; source: string };
      if (e.level === "error" || e.level === "warning")
        this.issues.consoleErrors.push(`${e.source}: ${e.text}`);
    } else if (method === "Network.requestWillBeSent") {
      this.issues.requests.push((p.request as { url: string }).url);
    } else if (method === "Page.javascriptDialogOpening") {
      this.issues.dialogs.push(p.message as string);
      void this.send("Page.handleJavaScriptDialog", { accept: true }, true).catch(() => {});
    }
    const due = this.#waiters.filter((w) => w.method === method);
    this.#waiters = this.#waiters.filter((w) => w.method !== method);
    for (const w of due) w.resolve();
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    inPage = false,
  ): Promise<Record<string, unknown>> {
    const id = ++this.#nextId;
    const msg: CdpMessage = { id, method, params };
    if (inPage) msg.sessionId = this.#session;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      this.#out.write(`${JSON.stringify(msg)}\0`);
    });
  }

  /** Opens a URL and resolves after its load event (scripts that run at load have run). */
  async open(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) =>
      this.#waiters.push({ method: "Page.loadEventFired", resolve }),
    );
    await this.send("Page.navigate", { url }, true);
    await loaded;
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true }, true);
    const ex = r.exceptionDetails as { text: string } | undefined;
    if (ex) throw new Error(`page evaluation failed: ${ex.text}`);
    return (r.result as { value: T }).value;
  }

  async screenshot(file: string): Promise<void> {
    const r = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, true);
    fs.writeFileSync(file, Buffer.from(r.data as string, "base64"));
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#proc.exitCode !== null) resolve();
      else this.#proc.once("exit", () => resolve());
    });
    await this.send("Browser.close").catch(() => {});
    const timer = setTimeout(() => this.#proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(this.#profile, { recursive: true, force: true });
  }
}
