// What a request to `--serve` asks for, from its method and path:
//   POST /2015-03-31/functions/<name>/invocations  Lambda's Invoke API (AWS SDK clients); <name> is
//                                                  the deployed function's name, the handler's, or an ARN
//   POST /<handler>                                the event as the body
//   ANY  /<handler>/<path>                         a url handler's function URL, <path> as its rawPath
// Handler names are identifiers, so `/<handler>` (no slash after it) never collides with a
// function URL's paths, which all start with `/<handler>/`.
import { functionName } from '../shared/names.ts';

export type Route =
  | { kind: 'invoke-api'; handler: string; functionName: string }
  | { kind: 'handler'; handler: string }
  | { kind: 'function-url'; handler: string; rawPath: string }
  | { kind: 'index' }
  | { kind: 'error'; status: number; type: string; message: string; allow?: string };

export interface RouteTable {
  project: string;
  region: string;
  handlers: readonly string[];
  /** Handlers whose manifest trigger is {"type": "url"}. */
  urlHandlers: readonly string[];
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** The function's name from an Invoke path segment: a name, `name:qualifier`, or an ARN. */
function nameOf(segment: string): string {
  const decoded = decodeURIComponent(segment);
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(decoded);
  if (arn) return arn[1]!;
  return decoded.split(':')[0]!;
}

export function route(method: string, path: string, table: RouteTable): Route {
  const invoke = INVOKE.exec(path);
  if (invoke) {
    let name: string;
    try {
      name = nameOf(invoke[1]!);
    } catch {
      return { kind: 'error', status: 400, type: 'InvalidParameterValueException', message: `the function name in ${path} is not URL-encoded properly` };
    }
    if (method !== 'POST') return { kind: 'error', status: 405, type: 'MethodNotAllowed', message: 'the Invoke API takes POST', allow: 'POST' };
    const handler = table.handlers.find((h) => h === name || functionName(table.project, h) === name);
    if (!handler) {
      const names = table.handlers.map((h) => functionName(table.project, h)).join(', ');
      return {
        kind: 'error',
        status: 404,
        type: 'ResourceNotFoundException',
        message: `Function not found: arn:aws:lambda:${table.region}:000000000000:function:${name} (served here: ${names}, or the handler names)`,
      };
    }
    return { kind: 'invoke-api', handler, functionName: functionName(table.project, handler) };
  }
  if (path === '/' && (method === 'GET' || method === 'HEAD')) return { kind: 'index' };
  const [, first = '', ...rest] = path.split('/');
  const handler = table.handlers.find((h) => h === first);
  if (!handler) {
    return { kind: 'error', status: 404, type: 'NotFound', message: `no handler "${first}" here: POST /<handler> with one of ${table.handlers.join(', ')} (GET / lists the routes)` };
  }
  if (path === `/${handler}`) {
    if (method === 'POST') return { kind: 'handler', handler };
    const url = table.urlHandlers.includes(handler) ? ` (its function URL is under /${handler}/)` : '';
    return { kind: 'error', status: 405, type: 'MethodNotAllowed', message: `POST /${handler} with the event as the body invokes ${handler}${url}`, allow: 'POST' };
  }
  if (!table.urlHandlers.includes(handler)) {
    return {
      kind: 'error',
      status: 404,
      type: 'NotFound',
      message: `${handler} has no function URL (its lambda-image.json entry has no "trigger": {"type": "url"}): POST /${handler} invokes it with the event as the body`,
    };
  }
  return { kind: 'function-url', handler, rawPath: `/${rest.join('/')}` };
}

/** The routes served, one line each, for the start-up banner and GET /. */
export function routeList(table: RouteTable, base: string): string[] {
  const lines: string[] = [];
  for (const handler of table.handlers) {
    lines.push(`POST ${base}/${handler}`);
    if (table.urlHandlers.includes(handler)) lines.push(`ANY  ${base}/${handler}/...  (function URL)`);
  }
  const first = table.handlers[0];
  if (first !== undefined) {
    lines.push(`AWS SDK: new LambdaClient({ endpoint: '${base}' }), FunctionName '${functionName(table.project, first)}' (or '${first}')`);
  }
  return lines;
}
