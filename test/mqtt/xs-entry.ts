/**
 * XS entry: the firmware MQTT transport with a scripted ECMA-419 client inside the bundle. Request byte 0:
 * 0 = set up and connect; 1 = byte 1 times (send a frame, PUBACK it). Reply: published, acked (u32 BE).
 */
import type { Clock } from "../../firmware/node/clock.js";
import { type MqttClientOptions, MqttTransport } from "../../firmware/node/transports/mqtt.js";

const clock: Clock = {
  now: () => 0,
  setTimer: () => 1,
  clearTimer: () => {},
};

let lastId = 0;
let client: Scripted | undefined;
const ack = { operation: 4, id: 0 };

class Scripted {
  options: MqttClientOptions;
  constructor(options: MqttClientOptions) {
    this.options = options;
    client = this;
  }
  write(_data: unknown, options?: { id?: number }): number {
    lastId = options?.id ?? 0;
    return 4096;
  }
  read(): ArrayBuffer | undefined {
    return undefined;
  }
  close(): void {}
}

let transport: MqttTransport | undefined;
const frame = Uint8Array.of(0x24, 0x87, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
const reply = new Uint8Array(8);
const view = new DataView(reply.buffer);

export function handle(req: Uint8Array): Uint8Array {
  if (req[0] === 0) {
    transport = new MqttTransport({
      Client: Scripted,
      clock,
      random: () => 0.5,
      host: "broker",
      site: "s1",
      nodeId: "0011223344556677",
    });
    transport.start();
    client!.options.onControl({ operation: 2, id: 0 });
    client!.options.onWritable(4096);
  } else {
    const t = transport!;
    for (let i = 0; i < req[1]!; i++) {
      t.send(4, frame, i);
      ack.id = lastId;
      client!.options.onControl(ack);
    }
  }
  view.setUint32(0, transport!.stats.published);
  view.setUint32(4, transport!.stats.acked);
  return reply;
}
