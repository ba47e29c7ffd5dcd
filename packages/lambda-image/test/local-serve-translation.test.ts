// --serve's translations, request to event and answer to response: function URLs (payload
// format 2.0), Lambda's Invoke API as an AWS SDK reads it, POST /<handler>, and the routes.
import { describe, expect, it } from 'vitest';
import { functionUrlEvent, functionUrlResponse, type UrlRequest } from '../src/local/function-url.ts';
import { handlerAnswer, invokeApiAnswer, logTail, serviceError } from '../src/local/invoke-answers.ts';
import { route, type RouteTable } from '../src/local/serve-routes.ts';
import type { Outcome } from '../src/shared/outcome.ts';

const request = (overrides: Partial<UrlRequest> = {}): UrlRequest => ({
  method: 'GET',
  rawPath: '/orders/7',
  rawQueryString: 'x=1&x=2&y=a%20b',
  headers: { host: ['127.0.0.1:3000'], 'user-agent': ['curl/8'], accept: ['a/b', 'c/d'], cookie: ['a=1; b=2'] },
  body: Buffer.alloc(0),
  httpVersion: '1.1',
  sourceIp: '127.0.0.1',
  requestId: 'req-1',
  now: new Date(Date.UTC(2026, 11, 3, 7, 40, 12)),
  ...overrides,
});

describe('function URL event (payload format 2.0)', () => {
  it('carries the path, the raw and parsed query, lowercase headers joined by commas, and cookies on their own', () => {
    const event = functionUrlEvent(request());
    expect(event).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/orders/7',
      rawQueryString: 'x=1&x=2&y=a%20b',
      cookies: ['a=1', 'b=2'],
      headers: { host: '127.0.0.1:3000', 'user-agent': 'curl/8', accept: 'a/b,c/d' },
      queryStringParameters: { x: '1,2', y: 'a b' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'local',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: { method: 'GET', path: '/orders/7', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '03/Dec/2026:07:40:12 +0000',
        timeEpoch: Date.UTC(2026, 11, 3, 7, 40, 12),
      },
      isBase64Encoded: false,
    });
  });

  it('passes a text body as text and any other base64-encoded, and leaves out what the request has not', () => {
    const json = functionUrlEvent(request({ method: 'POST', rawQueryString: '', headers: { 'content-type': ['application/json; charset=utf-8'] }, body: Buffer.from('{"a":1}') }));
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(json).not.toHaveProperty('queryStringParameters');
    expect(json).not.toHaveProperty('cookies');
    const binary = functionUrlEvent(request({ method: 'PUT', headers: { 'content-type': ['image/png'] }, body: Buffer.from([0, 255, 1]) }));
    expect(binary).toMatchObject({ body: 'AP8B', isBase64Encoded: true });
  });
});

describe('function URL response', () => {
  const ok = (value: unknown): Outcome => ({ ok: true, value });
  it('turns statusCode, headers, cookies and a base64 body into the HTTP response', () => {
    const answer = functionUrlResponse(ok({ statusCode: 201, headers: { 'X-Id': 7 }, cookies: ['s=1; Path=/'], body: 'AP8B', isBase64Encoded: true }));
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual({ 'x-id': '7', 'set-cookie': ['s=1; Path=/'] });
    expect([...answer.body]).toEqual([0, 255, 1]);
  });
  it('sends any other value as a 200 JSON body, as Lambda infers it', () => {
    for (const value of [{ a: 1 }, 'hello', 3, null]) {
      const answer = functionUrlResponse(ok(value));
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.body.toString()).toBe(JSON.stringify(value));
    }
  });
  it('answers 502 for a failed invocation or a statusCode that is not one', () => {
    expect(functionUrlResponse({ ok: false, errorType: 'ValueError', errorMessage: 'x', stackTrace: [] }).status).toBe(502);
    expect(functionUrlResponse(ok({ statusCode: 'teapot' })).status).toBe(502);
  });
});

describe('the invoke answers', () => {
  const failed: Outcome = { ok: false, errorType: 'ValueError', errorMessage: 'no report', stackTrace: ['  File "core.py", line 3'] };
  it('Invoke API: 200 with the payload; a function error flagged by X-Amz-Function-Error with the error document', () => {
    expect(invokeApiAnswer({ ok: true, value: { a: 1 } })).toMatchObject({ status: 200, body: Buffer.from('{"a":1}') });
    const error = invokeApiAnswer(failed, ['hello', 'REPORT Duration: 1 ms']);
    expect(error.status).toBe(200);
    expect(error.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(error.body.toString())).toEqual({ errorType: 'ValueError', errorMessage: 'no report', stackTrace: ['  File "core.py", line 3'] });
    expect(Buffer.from(String(error.headers['x-amz-log-result']), 'base64').toString()).toBe('hello\nREPORT Duration: 1 ms\n');
  });
  it('the log tail keeps the last 4 KB', () => {
    expect(Buffer.from(logTail(['x'.repeat(5000)]), 'base64')).toHaveLength(4096);
  });
  it('service errors carry their type as the SDK reads it', () => {
    const answer = serviceError(404, 'ResourceNotFoundException', 'Function not found');
    expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(answer.body.toString())).toEqual({ Type: 'User', message: 'Function not found' });
  });
  it('POST /<handler>: 500 the handler raised, 502 the runtime ended, 504 timed out', () => {
    expect(handlerAnswer({ ok: true, value: [1] }, 200)).toMatchObject({ status: 200, body: Buffer.from('[1]') });
    expect(handlerAnswer(failed, 200).status).toBe(500);
    expect(handlerAnswer({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'exit status 3', stackTrace: [] }, 502).status).toBe(502);
    expect(handlerAnswer({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds', stackTrace: [] }, 200).status).toBe(504);
  });
});

describe('routes', () => {
  const table: RouteTable = { project: 'orders-svc', region: 'eu-west-1', handlers: ['ingest', 'api'], urlHandlers: ['api'] };
  it('the Invoke API by deployed name, handler name, ARN or qualified name', () => {
    for (const name of ['orders-svc-ingest', 'ingest', 'arn:aws:lambda:eu-west-1:123456789012:function:orders-svc-ingest', 'orders-svc-ingest:$LATEST']) {
      expect(route('POST', `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, table)).toEqual({ kind: 'invoke-api', handler: 'ingest', functionName: 'orders-svc-ingest' });
    }
    expect(route('POST', '/2015-03-31/functions/other/invocations', table)).toMatchObject({ kind: 'error', status: 404, type: 'ResourceNotFoundException' });
  });
  it('POST /<handler>, and a url handler’s function URL under /<handler>/ with the rest as its path', () => {
    expect(route('POST', '/ingest', table)).toEqual({ kind: 'handler', handler: 'ingest' });
    expect(route('POST', '/api', table)).toEqual({ kind: 'handler', handler: 'api' });
    expect(route('GET', '/api/', table)).toEqual({ kind: 'function-url', handler: 'api', rawPath: '/' });
    expect(route('DELETE', '/api/orders/7', table)).toEqual({ kind: 'function-url', handler: 'api', rawPath: '/orders/7' });
  });
  it('refuses what it does not serve, saying what is', () => {
    expect(route('GET', '/ingest', table)).toMatchObject({ kind: 'error', status: 405, allow: 'POST' });
    expect(route('GET', '/ingest/x', table)).toMatchObject({ kind: 'error', status: 404, message: expect.stringContaining('has no function URL') });
    expect(route('POST', '/nope', table)).toMatchObject({ kind: 'error', status: 404, message: expect.stringContaining('ingest, api') });
  });
});
