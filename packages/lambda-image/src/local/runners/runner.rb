# Runs the dispatcher in this machine's Ruby for npm run local -- --native.
#
# Part of the lambda-image package. Resolves the handler string as the Lambda runtime
# does ("file.method", or "file.Module::Class.method"; file.rb under the project root),
# calls it with the keyword arguments event: and context:, and writes one JSON line per
# invocation to file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda would
# answer (the result, or {"errorMessage", "errorType": "Function<Class>", "stackTrace"}).
# Handler output goes to stdout/stderr untouched.
require 'json'
require 'securerandom'

class LambdaContext
  attr_reader :aws_request_id, :function_name, :function_version, :invoked_function_arn,
              :memory_limit_in_mb, :log_group_name, :log_stream_name, :identity, :client_context

  def initialize(timeout_ms)
    name = ENV.fetch('AWS_LAMBDA_FUNCTION_NAME', 'local')
    @aws_request_id = SecureRandom.uuid
    @function_name = name
    @function_version = '$LATEST'
    @invoked_function_arn = "arn:aws:lambda:#{ENV.fetch('AWS_REGION', 'us-east-1')}:000000000000:function:#{name}"
    @memory_limit_in_mb = ENV.fetch('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '128')
    @log_group_name = "/aws/lambda/#{name}"
    @log_stream_name = "local/[$LATEST]#{SecureRandom.hex(16)}"
    @deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout_ms / 1000.0
  end

  def get_remaining_time_in_millis
    [((@deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)) * 1000).to_i, 0].max
  end
end

class InitError < StandardError
  attr_reader :error_type

  def initialize(error_type, message)
    super(message)
    @error_type = error_type
  end
end

def load_handler(handler, root)
  parts = handler.split('.')
  unless [2, 3].include?(parts.size)
    raise InitError.new('Init<ArgumentError>', "Invalid handler #{handler}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD")
  end
  begin
    require File.join(root, parts[0])
  rescue ScriptError, StandardError => e
    raise InitError.new("Init<#{e.class}>", e.message)
  end
  receiver = parts.size == 3 ? Object.const_get(parts[1]) : TOPLEVEL_BINDING.receiver
  raise InitError.new('Init<NoMethodError>', "undefined method '#{parts.last}' for #{receiver}") unless receiver.respond_to?(parts.last, true)

  [receiver, parts.last]
end

dispatcher, root = ARGV
results = IO.new(3, 'w')
results.write(JSON.generate(version: RUBY_VERSION) + "\n")
results.flush
job = JSON.parse($stdin.read)
Dir.chdir(root)
$stdout.sync = true
target = nil
job['invocations'].each do |invocation|
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  ok = false
  begin
    target ||= load_handler(dispatcher, root)
    # The function's timeout runs from here: loading the code is the init phase.
    results.write(JSON.generate(start: true) + "\n")
    results.flush
    receiver, method_name = target
    result = receiver.send(method_name, event: invocation['payload'], context: LambdaContext.new(invocation.fetch('timeoutMs', job['timeoutMs'])))
    body = JSON.generate(result, quirks_mode: true)
    ok = true
  rescue InitError => e
    body = JSON.generate(errorMessage: e.message, errorType: e.error_type, stackTrace: [])
  rescue StandardError, ScriptError => e
    # Frames of this runner (ruby -e calls it -e) say nothing about the handler.
    trace = (e.backtrace || []).reject { |line| line.start_with?('-e:') }
    body = JSON.generate(errorMessage: e.message, errorType: "Function<#{e.class}>", stackTrace: trace)
  end
  ms = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000
  results.write(JSON.generate(ok: ok, body: body, ms: ms) + "\n")
  results.flush
end
