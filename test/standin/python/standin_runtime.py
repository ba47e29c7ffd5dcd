"""Stand-in for the Lambda Python runtime client and the Runtime Interface Emulator.

Test infrastructure only: public.ecr.aws cannot be reached from CI, so the tests build
images whose behaviour follows the real ones where the tooling can observe it: the
handler string is split at its last dot and the module imported from LAMBDA_TASK_ROOT
(as awslambdaric does), the module is imported on the first invocation (as the RIE
starts the runtime lazily), and a raised exception is answered with status 200 and
{"errorMessage", "errorType", "requestId", "stackTrace"}.
"""
import http.server
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request
import uuid

INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def fault_body(fault, request_id):
    return {"errorMessage": fault.message, "errorType": fault.error_type, "requestId": request_id, "stackTrace": fault.trace}


def exception_body(exc, request_id):
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop the runtime's own frame
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_function_arn=None):
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "test_function")
        self.aws_request_id = request_id
        self.function_name = name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = invoked_function_arn or "arn:aws:lambda:{}:012345678912:function:{}".format(
            os.environ.get("AWS_REGION", "us-east-1"), name
        )
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name)
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "$LATEST")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)


class Runtime:
    def __init__(self, handler):
        self.handler_name = handler
        self.handler = None

    def invoke(self, payload, request_id, deadline_ms, arn=None):
        """Returns (ok, body bytes)."""
        try:
            if self.handler is None:
                self.handler = load_handler(self.handler_name)
        except Fault as fault:
            return False, json.dumps(fault_body(fault, request_id)).encode()
        try:
            event = json.loads(payload) if payload.strip() else {}
        except ValueError as e:
            return False, json.dumps(fault_body(Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(e)), request_id)).encode()
        try:
            result = self.handler(event, LambdaContext(request_id, deadline_ms, arn))
        except Exception as exc:
            return False, json.dumps(exception_body(exc, request_id)).encode()
        try:
            return True, json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            return False, json.dumps(fault_body(Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e)), request_id)).encode()


def serve(runtime, port):
    timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "300"))

    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, status, body, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length)
            if self.path != INVOKE_PATH:
                return self.reply(404, b"404 page not found\n", "text/plain; charset=utf-8")
            request_id = str(uuid.uuid4())
            started = time.time()
            print("START RequestId: {} Version: $LATEST".format(request_id), flush=True)
            _, body = runtime.invoke(payload.decode("utf-8"), request_id, started * 1000 + timeout_s * 1000)
            duration = (time.time() - started) * 1000
            print("END RequestId: {}".format(request_id), flush=True)
            print("REPORT RequestId: {}\tDuration: {:.2f} ms".format(request_id, duration), flush=True)
            self.reply(200, body)

        def do_GET(self):
            self.reply(404, b"404 page not found\n", "text/plain; charset=utf-8")

        def log_message(self, *args):
            pass

    # One request at a time, as the real emulator serves them.
    server = http.server.HTTPServer(("0.0.0.0", port), Handler)
    server.serve_forever()


def runtime_api_loop(runtime, api):
    base = "http://{}/2018-06-01/runtime".format(api)
    while True:
        with urllib.request.urlopen(base + "/invocation/next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline_ms = int(r.headers.get("Lambda-Runtime-Deadline-Ms") or (time.time() + 300) * 1000)
            arn = r.headers.get("Lambda-Runtime-Invoked-Function-Arn")
            payload = r.read().decode("utf-8")
        ok, body = runtime.invoke(payload, request_id, deadline_ms, arn)
        url = "{}/invocation/{}/{}".format(base, request_id, "response" if ok else "error")
        urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST")).close()


def main():
    runtime = Runtime(sys.argv[1])
    port = os.environ.get("LAMBDA_STANDIN_EMULATOR_PORT")
    if port:
        serve(runtime, int(port))
    else:
        runtime_api_loop(runtime, os.environ["AWS_LAMBDA_RUNTIME_API"])


if __name__ == "__main__":
    main()
