# frozen_string_literal: true

# Shared test helpers: the sample events, the manifest and a Lambda-like context.
require 'json'
require 'minitest/autorun'

module TestSupport
  ROOT = File.expand_path('..', __dir__)

  # The attributes of Lambda's context object that handlers commonly read.
  class FakeContext
    def aws_request_id = 'test-request'
    def function_name = 'test'
    def memory_limit_in_mb = '128'
    def invoked_function_arn = 'arn:aws:lambda:us-east-1:123456789012:function:test'
    def get_remaining_time_in_millis = 30_000
  end

  def sample_event(name)
    JSON.parse(File.read(File.join(ROOT, 'events', "#{name}.json")))
  end

  def manifest
    JSON.parse(File.read(File.join(ROOT, 'lambda-image.json')))
  end

  def lambda_context
    FakeContext.new
  end
end
