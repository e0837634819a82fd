// Answers Fastify gives on its own, before any route (and so before Nest's exception filter) runs: a URL
// Fastify cannot decode, a path parameter longer than its limit, request headers (the URL included) larger
// than Node accepts, a client too slow to send its request. They are problem documents too.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemDocument, problemFor } from './problem';

/** Fastify's `frameworkErrors`: FST_ERR_BAD_URL (400), FST_ERR_MAX_PARAM_LENGTH (414), FST_ERR_ASYNC_CONSTRAINT. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = problemFor(error);
  void reply
    .status(problem.status)
    .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send(JSON.stringify({ ...problem, instance: request.url.split('?')[0], requestId: request.id }));
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'request.headers_too_large',
    'The request line and headers are larger than the server accepts (a URL or query string that long does not fit).',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request.timeout', 'The request was not received in time.'],
};

/** Fastify's `clientErrorHandler`: the request could not even be parsed; the socket is answered and closed. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'request.malformed',
    'The request is not valid HTTP.',
  ];
  const body = JSON.stringify(problemDocument(status, code, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problemDocument(status, code, detail).title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
