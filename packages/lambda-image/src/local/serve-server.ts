// `--serve`'s HTTP server (node:http): each request is routed (serve-routes.ts), turned into a
// dispatcher payload, queued on the handler's containers (container-pool.ts: never two
// invocations at once in one emulator), and answered (invoke-answers.ts, function-url.ts).
// One line per request on `out`: the handler, the HTTP status, the duration, and under it the
// handler's output and REPORT line.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Outcome } from '../shared/outcome.ts';
import { formatLogs, formatSeconds, type Painter } from '../shared/output.ts';
import { dispatcherPayload } from './emulator.ts';
import { checkEventSize, EventTooLarge, MAX_REQUEST_BYTES } from './limits.ts';
import { type ContainerPool, PoolClosed, type PoolContainer, type PooledInvocation } from './container-pool.ts';
import { ContainerStartError } from './local-container.ts';
import { functionUrlEvent, functionUrlResponse, type HttpAnswer } from './function-url.ts';
import { handlerAnswer, invokeApiAnswer, serviceError } from './invoke-answers.ts';
import { route, routeList, type RouteTable } from './serve-routes.ts';

export interface ServeOptions<C extends PoolContainer> {
  pool: ContainerPool<C>;
  routes: RouteTable;
  out: Writable;
  paint: Painter;
  /** No output lines under successful invocations. */
  quiet: boolean;
}

class BodyTooLarge extends Error {}

/**
 * The request's body; BodyTooLarge once it is over Lambda's 6 MiB request limit. The rest is still
 * read (and dropped): a client answered before it has sent everything sees a reset, not the 413.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => (size > MAX_REQUEST_BYTES ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: HttpAnswer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}

const textAnswer = (status: number, text: string, headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: Buffer.from(`${text}\n`),
});

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function createServeServer<C extends PoolContainer>({ pool, routes, out, paint, quiet }: ServeOptions<C>): Server {
  const width = Math.max(...routes.handlers.map((h) => h.length));
  const print = (request: IncomingMessage, handler: string, status: number | string, seconds: number, result?: PooledInvocation<C>, failure?: string) => {
    const outcome: Outcome | undefined = result?.outcome;
    const mark = outcome === undefined ? paint('yellow', '-') : outcome.ok ? paint('green', '✔') : paint('red', '✘');
    const why = outcome && !outcome.ok ? `  ${paint('red', outcome.errorType)}: ${outcome.errorMessage.split('\n')[0]}` : failure ? `  ${failure}` : '';
    let text = `${mark} ${paint('bold', handler.padEnd(width))}  ${status}  ${paint('dim', formatSeconds(seconds))}  ${paint('dim', `${request.method} ${request.url}`)}${why}`;
    if (result && !(quiet && result.outcome.ok)) {
      const logs = formatLogs({ name: handler, outcome: result.outcome, seconds, logs: result.log.lines, report: result.log.report }, paint);
      if (logs) text += `\n${logs}`;
    }
    if (result?.note) text += `\n    ${paint('yellow', '↻')} ${result.note}`;
    out.write(`${text}\n`);
  };

  const invoke = async (request: IncomingMessage, response: ServerResponse, handler: string, event: unknown) => {
    // A client that leaves while its invocation waits takes it out of the queue; a running one finishes.
    // The emulator cuts a request over 6 MiB: one that grew past it (the dispatcher's wrapping, a
    // function URL body in base64) is refused here, as Lambda would refuse it.
    checkEventSize(handler, event);
    const cancel = new AbortController();
    response.on('close', () => cancel.abort());
    return pool.invoke(handler, dispatcherPayload(handler, event), { cancel: cancel.signal });
  };

  /** Answers an invocation that could not run: the pool is closing, or no container could start. */
  const notRun = (error: unknown, kind: 'api' | 'plain'): HttpAnswer => {
    if (error instanceof EventTooLarge) return kind === 'api' ? serviceError(413, 'RequestTooLargeException', error.message) : textAnswer(413, error.message);
    const message = error instanceof PoolClosed ? 'the server is stopping' : error instanceof ContainerStartError ? `no container could start: ${error.message}` : String(error);
    const status = error instanceof PoolClosed ? 503 : 502;
    return kind === 'api' ? serviceError(status, error instanceof PoolClosed ? 'ServiceException' : 'ResourceNotReadyException', message) : textAnswer(status, message);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const target = route(method, url.pathname, routes);
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) return;
      const handler = 'handler' in target ? target.handler : '?';
      const message = `the request is over Lambda's limit for a synchronous invocation, 6 MiB (${MAX_REQUEST_BYTES} bytes)`;
      send(response, target.kind === 'invoke-api' ? serviceError(413, 'RequestTooLargeException', message) : textAnswer(413, message));
      print(request, handler, 413, elapsed(), undefined, message);
      return;
    }

    switch (target.kind) {
      case 'index': {
        send(response, textAnswer(200, routeList(routes, `http://${request.headers.host ?? 'localhost'}`).join('\n')));
        return;
      }
      case 'error': {
        const answer = url.pathname.startsWith('/2015-03-31/') ? serviceError(target.status, target.type, target.message) : textAnswer(target.status, target.message);
        if (target.allow) answer.headers.allow = target.allow;
        send(response, answer);
        out.write(`${paint('yellow', '-')} ${target.status}  ${paint('dim', `${method} ${request.url}`)}  ${target.message}\n`);
        return;
      }
      case 'invoke-api': {
        const event = parseJson(body);
        if (!event.ok) {
          send(response, serviceError(400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload must be JSON'));
          print(request, target.handler, 400, elapsed(), undefined, 'the payload is not JSON');
          return;
        }
        const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        if (type === 'DryRun') {
          send(response, { status: 204, headers: { 'x-amz-executed-version': '$LATEST' }, body: Buffer.alloc(0) });
          print(request, target.handler, '204 (DryRun)', elapsed());
          return;
        }
        if (type === 'Event') {
          // Lambda queues an asynchronous invocation and answers at once; here it waits in the
          // handler's queue like any other (no retries: the result is printed, not retried).
          send(response, { status: 202, headers: {}, body: Buffer.alloc(0) });
          try {
            const result = await pool.invoke(target.handler, dispatcherPayload(target.handler, event.value));
            print(request, target.handler, '202 (Event)', result.seconds, result);
          } catch (error) {
            print(request, target.handler, '202 (Event)', elapsed(), undefined, notRun(error, 'plain').body.toString().trim());
          }
          return;
        }
        if (type !== 'RequestResponse') {
          send(response, serviceError(400, 'InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got ${type}`));
          return;
        }
        try {
          const result = await invoke(request, response, target.handler, event.value);
          const tail = String(request.headers['x-amz-log-type'] ?? '') === 'Tail';
          const lines = [...result.log.lines, ...(result.log.report ? [`REPORT ${result.log.report}`] : [])];
          const answer = invokeApiAnswer(result.outcome, tail ? lines : undefined);
          print(request, target.handler, answer.status, result.seconds, result);
          send(response, answer);
        } catch (error) {
          if (response.destroyed) return print(request, target.handler, '-', elapsed(), undefined, 'the client left before the invocation started');
          const answer = notRun(error, 'api');
          send(response, answer);
          print(request, target.handler, answer.status, elapsed(), undefined, answer.body.toString());
        }
        return;
      }
      case 'handler':
      case 'function-url': {
        let event: unknown;
        if (target.kind === 'handler') {
          const parsed = parseJson(body);
          if (!parsed.ok) {
            send(response, textAnswer(400, `the body must be the event for ${target.handler}, as JSON (or empty for {})`));
            print(request, target.handler, 400, elapsed(), undefined, 'the body is not JSON');
            return;
          }
          event = parsed.value;
        } else {
          event = functionUrlEvent({
            method,
            rawPath: target.rawPath,
            rawQueryString: url.search.replace(/^\?/, ''),
            headers: Object.fromEntries(Object.entries(request.headersDistinct).map(([k, v]) => [k, v ?? []])),
            body,
            httpVersion: request.httpVersion,
            sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
            requestId: randomUUID(),
            now: new Date(),
          });
        }
        try {
          const result = await invoke(request, response, target.handler, event);
          const answer = target.kind === 'handler' ? handlerAnswer(result.outcome, result.status) : functionUrlResponse(result.outcome);
          print(request, target.handler, answer.status, result.seconds, result);
          send(response, answer);
        } catch (error) {
          if (response.destroyed) return print(request, target.handler, '-', elapsed(), undefined, 'the client left before the invocation started');
          const answer = notRun(error, 'plain');
          send(response, answer);
          print(request, target.handler, answer.status, elapsed(), undefined, answer.body.toString().trim());
        }
        return;
      }
    }
  };

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, textAnswer(500, `lambda-image: ${(error as Error).message}`));
      out.write(`${paint('red', '✘')} 500  ${request.method} ${request.url}  ${(error as Error).stack ?? String(error)}\n`);
    });
  });
}
