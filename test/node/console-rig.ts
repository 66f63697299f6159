/**
 * Test rig: the real console (firmware/node/console.ts) on the host Serial class of a SimBoard, on the
 * virtual clock, with the fake runtime; at the far end of the UART a Link that records every byte both
 * ways, can drop chosen replies, and can be cut (a pulled cable) after a number of bytes; behind it either
 * the console client or a raw terminal.
 */
import { Console } from "../../firmware/node/console.js";
import { type SerialLine, type SerialPeer, SimBoard } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeSerial } from "../../host-sim/io/serial.js";
import { Prng } from "../../host-sim/prng.js";
import { ConsoleClient } from "../../tools/console/client.js";
import { runUntilSettled } from "../../tools/console/drive.js";
import { FakeHost } from "./console-fake-host.js";

export const PORT = 2;
const dec = new TextDecoder();

export class Link implements SerialPeer {
  far: SerialPeer;
  line: SerialLine | undefined;
  readonly toNode: number[] = [];
  readonly fromNode: number[] = [];
  /** Bytes towards the node still allowed through; afterwards the cable is cut both ways. */
  budget = Number.POSITIVE_INFINITY;
  /** Replies (lines from the node) to swallow, counted from now. */
  dropReplies = 0;
  #replyBuf: number[] = [];

  constructor(far: SerialPeer) {
    this.far = far;
  }

  connect(line: SerialLine): void {
    this.line = line;
    this.attach(this.far);
  }

  /** Puts a (new) far end on the cable. */
  attach(far: SerialPeer): void {
    this.far = far;
    far.connect({
      baud: this.line!.baud,
      send: (bytes) => {
        const n = Math.max(0, Math.min(bytes.length, this.budget));
        this.budget -= n;
        if (n === 0) return;
        const pass = bytes.subarray(0, n);
        this.toNode.push(...pass);
        this.line!.send(pass);
      },
    });
  }

  receive(bytes: Uint8Array): void {
    if (this.budget <= 0) return;
    this.fromNode.push(...bytes);
    for (const b of bytes) {
      this.#replyBuf.push(b);
      if (b !== 0x0a) continue;
      const line = Uint8Array.from(this.#replyBuf);
      this.#replyBuf = [];
      if (this.dropReplies > 0) {
        this.dropReplies--;
        continue;
      }
      this.far.receive(line);
    }
  }

  get sentText(): string {
    return dec.decode(Uint8Array.from(this.toNode));
  }

  get receivedText(): string {
    return dec.decode(Uint8Array.from(this.fromNode));
  }
}

/** A human at a terminal: types text, reads lines. */
export class Terminal implements SerialPeer {
  line: SerialLine | undefined;
  #text = "";
  connect(line: SerialLine): void {
    this.line = line;
  }
  receive(bytes: Uint8Array): void {
    this.#text += dec.decode(bytes);
  }
  type(text: string): void {
    this.line!.send(new TextEncoder().encode(text));
  }
  /** Lines received so far (CR LF removed), and clears them. */
  take(): string[] {
    const lines = this.#text.split("\r\n");
    this.#text = lines.pop() ?? "";
    return lines;
  }
}

export function rig(options: { startMs?: number; configMaxBytes?: number } = {}) {
  const clock = new VirtualClock(options.startMs ?? 1_000_000);
  const board = new SimBoard(clock, new Prng(7));
  const host = new FakeHost();
  const client = new ConsoleClient({ clock, firstSeq: 100 });
  const link = new Link(client);
  board.attachSerial(PORT, link);
  const Serial = makeSerial(board);
  const console = new Console({
    serial: { io: Serial, port: PORT },
    host,
    clock,
    ...(options.configMaxBytes ? { configMaxBytes: options.configMaxBytes } : {}),
  });
  const run = <T>(p: Promise<T>): Promise<T> => runUntilSettled(clock, p);
  /** Attaches a terminal instead of the client, types `text`, runs the clock `ms`, returns the lines. */
  const terminal = new Terminal();
  const typeLines = (text: string, ms = 200): string[] => {
    if (link.far !== terminal) link.attach(terminal);
    terminal.type(text);
    clock.advance(ms);
    return terminal.take();
  };
  return { clock, board, host, client, link, console, run, terminal, typeLines };
}
