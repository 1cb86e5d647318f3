/** Raw bytes to a server and what comes back, for requests no HTTP client would send. */
import { connect, type Socket } from 'node:net';

/** Sends `request` as written and resolves with everything the server answered before closing (or `idleMs` of silence). */
export function rawRequest(port: number, request: string | Buffer, idleMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const finish = () => {
      socket.destroy();
      resolve(answer);
    };
    let idle = setTimeout(finish, idleMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      clearTimeout(idle);
      // A complete response with Content-Length is enough; do not wait for the keep-alive to end.
      const head = answer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(answer.slice(0, head));
      if (head !== -1 && length && answer.length >= head + 4 + Number(length[1])) return finish();
      idle = setTimeout(finish, idleMs);
    });
    socket.once('close', () => {
      clearTimeout(idle);
      resolve(answer);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(idle);
      if (error.code === 'ECONNRESET') resolve(answer);
      else reject(error);
    });
    socket.write(request);
  });
}

/** The status code of a raw answer, or 0 when there was none. */
export function statusOf(answer: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match ? Number(match[1]) : 0;
}

/** A connection that is opened and then left alone; resolves when the server closes it. */
export function idleConnection(port: number): {
  socket: Socket;
  closed: Promise<void>;
  connected: Promise<void>;
} {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.resume(); // read (and drop) whatever comes, so the server's FIN is seen
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected };
}

/** Bytes to send, each after an optional pause: a body that trickles, or one that stops. */
export type Parts = ReadonlyArray<{ readonly bytes: Buffer | string; readonly pauseMs?: number }>;

/**
 * Sends the parts in order, half-closes, and resolves with everything the server answered once it
 * closes the connection (a reset is an answer too). Neither an answer nor a close within `hangMs`
 * is a hang, and rejects.
 */
export function untilClosed(port: number, parts: Parts | Buffer | string, hangMs: number): Promise<string> {
  const sequence: Parts = typeof parts === 'string' || Buffer.isBuffer(parts) ? [{ bytes: parts }] : parts;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${hangMs} ms`));
    }, hangMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    void (async () => {
      for (const part of sequence) {
        if (part.pauseMs) await new Promise((wait) => setTimeout(wait, part.pauseMs));
        if (socket.destroyed) return;
        socket.write(part.bytes);
      }
      socket.end();
    })();
  });
}
