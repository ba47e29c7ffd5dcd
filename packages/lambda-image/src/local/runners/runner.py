"""Runs the dispatcher in this machine's Python for npm run local -- --native.

Part of the lambda-image package. Resolves the handler string as the Lambda runtime
does (module and function split at the last dot, module imported from the project
root), gives each call a Lambda-like context, and writes one JSON line per invocation
to file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda would answer
(the result, or the error document {"errorMessage", "errorType", "stackTrace"}).
Handler output goes to stdout/stderr untouched.
"""
import importlib
import json
import os
import platform
import sys
import time
import traceback
import uuid


class Fault(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler, root):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e))
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


class LambdaContext:
    def __init__(self, timeout_ms):
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:{}:000000000000:function:{}".format(region, name)
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "local/[$LATEST]" + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def error_document(exc, drop_frames=1):
    frames = traceback.extract_tb(exc.__traceback__)[drop_frames:]
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": traceback.format_list(frames)}


def main():
    dispatcher, root = sys.argv[1], sys.argv[2]
    results = os.fdopen(3, "w")
    results.write(json.dumps({"version": platform.python_version()}) + "\n")
    results.flush()
    job = json.load(sys.stdin)
    os.chdir(root)
    handler = None
    for invocation in job["invocations"]:
        started = time.perf_counter()
        ok = False
        try:
            if handler is None:
                handler = load_handler(dispatcher, root)
            # The function's timeout runs from here: loading the code is the init phase.
            results.write(json.dumps({"start": True}) + "\n")
            results.flush()
            result = handler(invocation["payload"], LambdaContext(invocation.get("timeoutMs", job["timeoutMs"])))
            try:
                body = json.dumps(result)
                ok = True
            except (TypeError, ValueError) as e:
                body = json.dumps({"errorMessage": "Unable to marshal response: {}".format(e), "errorType": "Runtime.MarshalError", "stackTrace": []})
        except Fault as fault:
            body = json.dumps({"errorMessage": str(fault), "errorType": fault.error_type, "stackTrace": []})
        except Exception as exc:
            body = json.dumps(error_document(exc))
        ms = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        results.write(json.dumps({"ok": ok, "body": body, "ms": ms}) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
