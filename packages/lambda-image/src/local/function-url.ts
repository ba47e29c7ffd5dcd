// `--serve` for handlers whose trigger is a function URL: an HTTP request becomes the event
// Lambda sends (payload format 2.0), and the handler's answer becomes the HTTP response, as
// Lambda's function URLs translate them. Pure functions: serve-server.ts does the I/O.
import type { Outcome } from '../shared/outcome.ts';

/** What function-url.ts reads of a request (node:http's IncomingMessage has all of it). */
export interface UrlRequest {
  method: string;
  /** The path after the handler's prefix, starting with `/`. */
  rawPath: string;
  /** After `?`, as sent (not decoded); '' when none. */
  rawQueryString: string;
  /** Header names lowercase, each with every value it was sent with. */
  headers: Record<string, string[]>;
  body: Buffer;
  httpVersion: string;
  sourceIp: string;
  requestId: string;
  /** The request's time. */
  now: Date;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Content types whose body Lambda passes as text; every other body arrives base64-encoded. */
const TEXT_TYPE = /^(text\/[^;]+|application\/(json|javascript|xml|[\w.+-]+\+json|[\w.+-]+\+xml))\s*(;|$)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `03/Dec/2026:07:40:12 +0000`, requestContext.time's format. */
function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** The function URL event (payload format 2.0) for this request. */
export function functionUrlEvent(request: UrlRequest): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headers)) {
    // Cookies travel in their own field, not among the headers.
    if (name === 'cookie') cookies = values.flatMap((v) => v.split(';')).map((c) => c.trim()).filter(Boolean);
    else headers[name] = values.join(',');
  }
  const query: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(request.rawQueryString)) (query[key] ??= []).push(value);
  const contentType = headers['content-type'] ?? '';
  const text = TEXT_TYPE.test(contentType);
  const domainName = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.join(',')])) } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(request.now),
      timeEpoch: request.now.getTime(),
    },
    ...(request.body.length > 0 ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const INTERNAL_ERROR: HttpAnswer = {
  status: 502,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"Message":"Internal Server Error"}'),
};

/**
 * The HTTP response for the handler's answer. A result with a statusCode is a response
 * (headers, body, isBase64Encoded, cookies); any other value is sent as a 200 JSON body, as
 * Lambda infers it. A failed invocation, or a statusCode that is not one, is a 502.
 */
export function functionUrlResponse(outcome: Outcome): HttpAnswer {
  if (!outcome.ok) return INTERNAL_ERROR;
  const value = outcome.value;
  if (!isObject(value) || !('statusCode' in value)) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value) ?? 'null') };
  }
  const status = Number(value.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return INTERNAL_ERROR;
  const headers: Record<string, string | string[]> = {};
  if (isObject(value.headers)) {
    for (const [name, v] of Object.entries(value.headers)) if (v !== undefined && v !== null) headers[name.toLowerCase()] = String(v);
  }
  if (Array.isArray(value.cookies) && value.cookies.length > 0) headers['set-cookie'] = value.cookies.map(String);
  const raw = value.body;
  const body =
    raw === undefined || raw === null
      ? Buffer.alloc(0)
      : typeof raw === 'string'
        ? Buffer.from(raw, value.isBase64Encoded === true ? 'base64' : 'utf8')
        : Buffer.from(JSON.stringify(raw));
  return { status, headers, body };
}
