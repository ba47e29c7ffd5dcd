# Stand-in for the Lambda Ruby runtime client and the Runtime Interface Emulator.
#
# Test infrastructure only: public.ecr.aws cannot be reached from CI, so the tests
# build images that behave like the real ones where the tooling can observe it. The
# handler string is "file.method" (a top-level method of file.rb under LAMBDA_TASK_ROOT)
# or "file.Module::Class.method", the method is called with the keyword arguments
# event: and context:, the file loads on the first invocation (the RIE starts the
# runtime lazily), and an exception is answered with status 200 and
# {"errorMessage", "errorType": "Function<Class>", "stackTrace"}, as the real client does.
require 'json'
require 'securerandom'
require 'socket'
require 'net/http'

INVOKE_PATH = '/2015-03-31/functions/function/invocations'

class StandinFault < StandardError
  attr_reader :error_type

  def initialize(error_type, message)
    super(message)
    @error_type = error_type
  end
end

class LambdaContext
  attr_reader :aws_request_id, :function_name, :function_version, :invoked_function_arn,
              :memory_limit_in_mb, :log_group_name, :log_stream_name, :identity, :client_context

  def initialize(request_id, deadline_ms, arn = nil)
    name = ENV.fetch('AWS_LAMBDA_FUNCTION_NAME', 'test_function')
    @aws_request_id = request_id
    @function_name = name
    @function_version = ENV.fetch('AWS_LAMBDA_FUNCTION_VERSION', '$LATEST')
    @invoked_function_arn = arn || "arn:aws:lambda:#{ENV.fetch('AWS_REGION', 'us-east-1')}:012345678912:function:#{name}"
    @memory_limit_in_mb = ENV.fetch('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '3008')
    @log_group_name = ENV.fetch('AWS_LAMBDA_LOG_GROUP_NAME', "/aws/lambda/#{name}")
    @log_stream_name = ENV.fetch('AWS_LAMBDA_LOG_STREAM_NAME', '$LATEST')
    @deadline_ms = deadline_ms
  end

  def get_remaining_time_in_millis
    [(@deadline_ms - (Time.now.to_f * 1000)).to_i, 0].max
  end
end

class StandinRuntime
  def initialize(handler)
    @handler_string = handler
    @target = nil
  end

  def load_handler
    parts = @handler_string.split('.')
    unless [2, 3].include?(parts.size)
      raise StandinFault.new('Init<ArgumentError>', "Invalid handler #{@handler_string}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD")
    end
    file = File.join(ENV.fetch('LAMBDA_TASK_ROOT', '/var/task'), parts[0])
    begin
      require file
    rescue ScriptError, StandardError => e
      raise StandinFault.new("Init<#{e.class}>", e.message)
    end
    receiver = parts.size == 3 ? Object.const_get(parts[1]) : TOPLEVEL_BINDING.receiver
    method_name = parts.last
    unless receiver.respond_to?(method_name, true)
      raise StandinFault.new('Init<NoMethodError>', "undefined method `#{method_name}' for #{receiver}")
    end
    [receiver, method_name]
  end

  # Returns [ok, body].
  def invoke(payload, request_id, deadline_ms, arn = nil)
    begin
      @target ||= load_handler
    rescue StandinFault => e
      return [false, JSON.generate(errorMessage: e.message, errorType: e.error_type, stackTrace: [])]
    end
    begin
      event = payload.strip.empty? ? {} : JSON.parse(payload)
    rescue JSON::ParserError => e
      return [false, JSON.generate(errorMessage: e.message, errorType: 'Function<JSON::ParserError>', stackTrace: [])]
    end
    receiver, method_name = @target
    begin
      result = receiver.send(method_name, event: event, context: LambdaContext.new(request_id, deadline_ms, arn))
      [true, JSON.generate(result, quirks_mode: true)]
    rescue StandardError, ScriptError => e
      [false, JSON.generate(errorMessage: e.message, errorType: "Function<#{e.class}>", stackTrace: e.backtrace || [])]
    end
  end
end

def serve(runtime, port)
  timeout_ms = Float(ENV.fetch('AWS_LAMBDA_FUNCTION_TIMEOUT', '300')) * 1000
  server = TCPServer.new('0.0.0.0', port)
  # One connection, hence one invocation, at a time, as the real emulator runs them.
  loop do
    client = server.accept
    begin
      request_line = client.gets or next
      method, path = request_line.split(' ')
      length = 0
      while (line = client.gets) && line != "\r\n"
        length = line.split(':', 2)[1].to_i if line.downcase.start_with?('content-length:')
      end
      payload = length.positive? ? client.read(length) : ''
      if method != 'POST' || path != INVOKE_PATH
        body = "404 page not found\n"
        client.write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}")
        next
      end
      request_id = SecureRandom.uuid
      started = Time.now.to_f * 1000
      puts "START RequestId: #{request_id} Version: $LATEST"
      _ok, body = runtime.invoke(payload.force_encoding('UTF-8'), request_id, started + timeout_ms)
      puts "END RequestId: #{request_id}"
      puts format("REPORT RequestId: %s\tDuration: %.2f ms", request_id, Time.now.to_f * 1000 - started)
      client.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}")
    rescue StandardError => e
      warn "standin emulator: #{e.class}: #{e.message}"
    ensure
      client.close
    end
  end
end

def runtime_api_loop(runtime, api)
  host, port = api.split(':')
  http = Net::HTTP.new(host, Integer(port || 80))
  http.read_timeout = nil
  loop do
    response = http.get('/2018-06-01/runtime/invocation/next')
    request_id = response['Lambda-Runtime-Aws-Request-Id']
    deadline_ms = Integer(response['Lambda-Runtime-Deadline-Ms'] || ((Time.now.to_f + 300) * 1000).to_i)
    ok, body = runtime.invoke(response.body.to_s, request_id, deadline_ms, response['Lambda-Runtime-Invoked-Function-Arn'])
    http.post("/2018-06-01/runtime/invocation/#{request_id}/#{ok ? 'response' : 'error'}", body)
  end
end

$stdout.sync = true
runtime = StandinRuntime.new(ARGV[0] || ENV.fetch('_HANDLER', ''))
if ENV['LAMBDA_STANDIN_EMULATOR_PORT']
  serve(runtime, Integer(ENV['LAMBDA_STANDIN_EMULATOR_PORT']))
else
  runtime_api_loop(runtime, ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
end
