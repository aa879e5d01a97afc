import { createServer } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A relay between SIPp instances run in 3PCC mode, so that one SIPp scenario can wait for another
 * (`<sendCmd>` on one side, `<recvCmd>` on the other).
 *
 * SIPp's own 3PCC listener binds every interface whatever address it is given; this relay listens on
 * 127.0.0.1 only and every SIPp instance connects to it: start each with `-3pcc 127.0.0.1:<port>` and a
 * scenario whose first twin command is a `<sendCmd>`. A twin command is a header block that SIPp ends
 * with an ESC byte. The relay reads three headers:
 * - `Twin: <name>` names the sending instance (every command carries it);
 * - `Call-ID` is the sender's call; the first command of a twin records it;
 * - `To-Twin: <name>` asks the relay to pass the command on to that twin, with its Call-ID replaced by
 *   the one that twin recorded (SIPp hands a command to the call with the same Call-ID).
 * A command without To-Twin only introduces its sender. Commands for a twin that has not introduced
 * itself yet wait for it.
 */
export interface TwinRelay {
  /** The TCP port on 127.0.0.1 to give SIPp as `-3pcc 127.0.0.1:<port>`. */
  readonly port: number;
  /** Every command passed on so far, as `from -> to`, in order (for failure messages). */
  readonly passed: readonly string[];
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Twin {
  socket: Socket;
  callId: string;
}

/** SIPp ends every twin command with ESC (0x1b). */
const END = '\x1b';

function header(command: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'im').exec(command);
  return m?.[1];
}

/** Starts a {@link TwinRelay} on an ephemeral port of 127.0.0.1. */
export async function startTwinRelay(): Promise<TwinRelay> {
  const twins = new Map<string, Twin>();
  const waiting: Array<{ to: string; command: string; from: string }> = [];
  const sockets = new Set<Socket>();
  const passed: string[] = [];

  const flush = () => {
    for (let i = 0; i < waiting.length; ) {
      const w = waiting[i]!;
      const twin = twins.get(w.to);
      if (!twin) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      const out = w.command.replace(/^Call-ID:.*$/im, `Call-ID: ${twin.callId}`);
      twin.socket.write(out + END);
      passed.push(`${w.from} -> ${w.to}`);
    }
  };

  const receive = (socket: Socket, command: string) => {
    const name = header(command, 'Twin');
    const callId = header(command, 'Call-ID');
    if (!name || !callId) {
      socket.destroy(new Error(`twin command without Twin or Call-ID: ${JSON.stringify(command)}`));
      return;
    }
    if (!twins.has(name)) twins.set(name, { socket, callId });
    const to = header(command, 'To-Twin');
    if (to) waiting.push({ to, command, from: name });
    flush();
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf(END); end >= 0; end = buffer.indexOf(END)) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        receive(socket, command);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    passed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
