/**
 * XS entry: the provisioning console on a whole simulated gas node (runtime, console host, drivers, chip
 * models, key-value storage, on the virtual clock), run the same on XS and in Node.
 *
 * Request [0]: a fresh node (seed 11, the factory secret stored); reply: the provisioning record made for
 *   it (kz-ru-coal face, CH4 A1 0.6 %vol), which a test sends back as a config.
 * Request [1, ...text]: the text goes to the node's console UART (as a terminal would send it), the clock
 *   runs `RUN_MS`, the reply is every byte the node's console sent meanwhile.
 * Request [2]: the same `RUN_MS` with nothing sent: the node's own cost over that time (the baseline).
 */
import type { SerialLine, SerialPeer } from "../../../host-sim/board.js";
import type { VirtualClock } from "../../../host-sim/clock.js";
import type { SimNode } from "../../../host-sim/node/sim-node.js";
import { recordFor, simNode, withCh4A1 } from "../../node/console-host-rig.js";

const RUN_MS = 500;
const out = new Uint8Array(8192);
let outLen = 0;

class Terminal implements SerialPeer {
  line: SerialLine | undefined;
  connect(line: SerialLine): void {
    this.line = line;
  }
  receive(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && outLen < out.length; i++) out[outLen++] = bytes[i]!;
  }
}

let clock: VirtualClock;
let node: SimNode;
const terminal = new Terminal();

export function handle(request: Uint8Array): Uint8Array {
  if (request[0] === 0) {
    ({ clock, node } = simNode());
    node.attachConsole(terminal);
    return recordFor(node, withCh4A1(60));
  }
  outLen = 0;
  if (request[0] === 1) terminal.line!.send(request.subarray(1));
  clock.advance(RUN_MS);
  return out.slice(0, outLen);
}
