/**
 * Requests Node's HTTP parser rejects before Hono sees them (headers or URL over
 * 16 KiB, malformed request lines) would get a bare status line; answer them
 * with the same problem+json shape as everything else.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: `https://shortbreaks.example/problems/${tooLarge ? 'headers-too-large' : 'bad-request'}`,
      title: tooLarge ? 'Request headers or URL too large' : 'Malformed HTTP request',
      status,
      detail: tooLarge ? 'The request line and headers must stay under 16 KiB' : 'The request could not be parsed',
      code: 'VALIDATION_FAILED',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
