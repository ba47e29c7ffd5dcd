# frozen_string_literal: true

# Every handler, called through the dispatcher as the local container calls it.
require_relative 'test_helper'
require_relative '../lambda_function'

class HandlersTest < Minitest::Test
  include TestSupport

  # lambda-image:tests (one test per handler; new ones are added above this line)

  def test_the_dispatcher_routes_every_handler_in_the_manifest
    assert_equal(manifest['handlers'].map { |h| h['name'] }, HANDLERS.keys)
  end

  def test_every_handler_string_in_the_manifest_names_a_method_of_lambda_function
    manifest['handlers'].each do |h|
      file, method = h['handler'].split('.', 2)
      assert_equal 'lambda_function', file
      assert_equal HANDLERS.fetch(h['name']).name, method.to_sym
    end
  end

  def test_an_unknown_handler_is_refused_with_the_valid_ones_named
    error = assert_raises(UnknownHandlerError) do
      lambda_handler(event: { 'handler' => 'no_such_handler', 'event' => {} }, context: lambda_context)
    end
    HANDLERS.each_key { |name| assert_includes error.message, name }
  end

  def test_a_missing_handler_is_refused
    error = assert_raises(UnknownHandlerError) { lambda_handler(event: { 'event' => {} }, context: lambda_context) }
    assert_match(/missing "handler"/, error.message)
  end
end
