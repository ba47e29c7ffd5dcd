# Stand-in for the Lambda Ruby runtime interface client (the aws_lambda_ric gem), which
# cannot be had here (no RubyGems). Test infrastructure only; it runs under the REAL
# Runtime Interface Emulator and talks to it through the Runtime API, as the gem does.
#
# The handler string is "file.method" (a top-level method of file.rb under LAMBDA_TASK_ROOT)
# or "file.Module::Class.method"; the method is called with the keyword arguments event:
# and context:. A handler that cannot be loaded is reported to /runtime/init/error and the
# process exits; an exception is reported to /invocation/<id>/error as
# {"errorMessage", "errorType": "Function<Class>", "stackTrace"}, as the gem does.
require 'json'
require 'net/http'

class InitFault < StandardError
  attr_reader :error_type

  def initialize(error_type, message)
    super(message)
    @error_type = error_type
  end
end

class LambdaContext
  attr_reader :aws_request_id, :function_name, :function_version, :invoked_function_arn,
              :memory_limit_in_mb, :log_group_name, :log_stream_name

  def initialize(request_id, deadline_ms, arn)
    @aws_request_id = request_id
    @function_name = ENV.fetch('AWS_LAMBDA_FUNCTION_NAME', nil)
    @function_version = ENV.fetch('AWS_LAMBDA_FUNCTION_VERSION', nil)
    @invoked_function_arn = arn
    @memory_limit_in_mb = ENV.fetch('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', nil)
    @log_group_name = ENV.fetch('AWS_LAMBDA_LOG_GROUP_NAME', nil)
    @log_stream_name = ENV.fetch('AWS_LAMBDA_LOG_STREAM_NAME', nil)
    @deadline_ms = deadline_ms
  end

  def get_remaining_time_in_millis
    [(@deadline_ms - (Time.now.to_f * 1000)).to_i, 0].max
  end
end

def load_handler(handler)
  parts = handler.split('.')
  unless [2, 3].include?(parts.size)
    raise InitFault.new('Init<ArgumentError>', "Invalid handler #{handler}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD")
  end
  begin
    require File.join(ENV.fetch('LAMBDA_TASK_ROOT'), parts[0])
  rescue ScriptError, StandardError => e
    raise InitFault.new("Init<#{e.class}>", e.message)
  end
  receiver = parts.size == 3 ? Object.const_get(parts[1]) : TOPLEVEL_BINDING.receiver
  unless receiver.respond_to?(parts.last, true)
    raise InitFault.new('Init<NoMethodError>', "undefined method `#{parts.last}' for #{receiver}")
  end
  [receiver, parts.last]
end

def error_document(type, message, trace)
  JSON.generate(errorMessage: message, errorType: type, stackTrace: trace)
end

$stdout.sync = true
host, port = ENV.fetch('AWS_LAMBDA_RUNTIME_API').split(':')
api = Net::HTTP.new(host, Integer(port || 80))
api.read_timeout = nil
base = '/2018-06-01/runtime'

begin
  receiver, method_name = load_handler(ARGV[0] || ENV.fetch('_HANDLER'))
rescue InitFault => e
  api.post("#{base}/init/error", error_document(e.error_type, e.message, []), 'Lambda-Runtime-Function-Error-Type' => e.error_type)
  warn "#{e.error_type}: #{e.message}"
  exit 1
end

loop do
  invocation = api.get("#{base}/invocation/next")
  request_id = invocation['Lambda-Runtime-Aws-Request-Id']
  context = LambdaContext.new(request_id, Integer(invocation['Lambda-Runtime-Deadline-Ms']), invocation['Lambda-Runtime-Invoked-Function-Arn'])
  begin
    result = receiver.send(method_name, event: JSON.parse(invocation.body), context: context)
    api.post("#{base}/invocation/#{request_id}/response", JSON.generate(result, quirks_mode: true))
  rescue StandardError, ScriptError => e
    type = "Function<#{e.class}>"
    api.post("#{base}/invocation/#{request_id}/error", error_document(type, e.message, e.backtrace || []), 'Lambda-Runtime-Function-Error-Type' => type)
  end
end
