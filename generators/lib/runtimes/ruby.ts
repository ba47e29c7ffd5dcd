import type { RuntimeSpec } from '../catalogue.ts';
import { snakeCase } from '../names.ts';

// Handlers are top-level methods of lambda_function.rb, which Ruby makes private methods
// of Object: one named like a Kernel/Object method would replace it for every object in
// the process (the runtime client's included), so those names are refused with the keywords.
const KEYWORDS = 'BEGIN END alias and begin break case class def defined do else elsif end ensure false for if in module next nil not or redo rescue retry return self super then true undef unless until when while yield __method__ __dir__';
const KERNEL = 'abort at_exit autoload binding caller caller_locations catch class clone define_singleton_method describe display dup enum_for eval exec exit extend fail fork format freeze gem gem_original_require gets global_variables hash initialize initialize_clone initialize_copy initialize_dup inspect instance_eval instance_exec instance_variable_get instance_variable_set instance_variables itself j jj lambda load local_variables loop method method_missing methods object_id open p pp print printf private_methods proc protected_methods public_method public_methods public_send putc puts raise rand readline readlines remove_instance_variable require require_relative select send set_trace_func singleton_class singleton_method singleton_method_added singleton_method_removed singleton_method_undefined singleton_methods sleep spawn sprintf srand syscall system tap test then throw to_enum to_s trace_var trap warn yield_self instance_variable_defined frozen equal';
// The entry module's dispatcher, and the core library's shared function (Core.summarize).
const ENTRY_MODULE = 'lambda_handler summarize';

// The project's module (orders-svc -> OrdersSvc) must not reopen a constant that already
// exists when lambda_function.rb loads: Ruby's core classes and modules (a class raises
// "is not a module", a module would silently take the project's code), the default gems the
// runtime and the tests load, and the generated code's own constants.
const RUBY_CONSTANTS = 'ArgumentError Array BasicObject Bignum Binding Bundler Class ClosedQueueError Comparable Complex ConditionVariable Data DidYouMean Dir Encoding EncodingError Enumerable Enumerator Errno ErrorHighlight Exception FalseClass Fiber FiberError File FileTest Fixnum Float FloatDomainError FrozenError Gem Hash IndexError Integer Interrupt Kernel KeyError LoadError LocalJumpError Marshal MatchData Math Method Module Monitor MonitorMixin Mutex NameError NilClass NoMatchingPatternError NoMatchingPatternKeyError NoMemoryError NoMethodError NotImplementedError Numeric Object ObjectSpace Prism Proc Process Queue Ractor Random Range RangeError Rational RbConfig Refinement Regexp RegexpError RuntimeError ScriptError SecurityError Set Signal SignalException SizedQueue StandardError StopIteration String Struct Symbol SyntaxError SystemCallError SystemExit SystemStackError Thread ThreadError ThreadGroup Time TracePoint TrueClass TypeError UnboundMethod UncaughtThrowError UnicodeNormalize Warning ZeroDivisionError Minitest Psych Socket Timeout Net Logger LambdaContext LambdaHandler LambdaServer LambdaErrors LambdaLogger LambdaRunner UnknownHandlerError TestSupport CoreTest HandlersTest';
const TAKEN_CONSTANTS = new Set(RUBY_CONSTANTS.split(' '));

export const ruby: RuntimeSpec = {
  id: 'ruby',
  label: 'Ruby',
  imageRepository: 'ruby',
  tags: [{ tag: '4.0', deprecation: '2029-03-31' }, { tag: '3.4' }, { tag: '3.3', deprecation: '2027-03-31' }],
  verified:
    'The generated minitest suite (Debian\'s ruby) and `npm run local -- --native`; `npm run local` (the Dockerfile\'s `bundle install` included) on a ruby base image with the real Runtime Interface Emulator',
  standsIn:
    '**The Ruby runtime client is ours** (test/baseimages/ruby: the aws_lambda_ric gem is out of reach, no RubyGems); Debian\'s Ruby 3.3 for the 4.0 and 3.4 tags; a Debian root file system for Amazon Linux',
  identifier: snakeCase,
  reserved: new Set(`${KEYWORDS} ${KERNEL} ${ENTRY_MODULE}`.split(' ')),
  handlerString: (identifier) => `lambda_function.${identifier}`,
  dispatcher: () => 'lambda_function.lambda_handler',
  // The Rakefile's minitest task: Rake and minitest ship with Ruby.
  testCommand: 'rake test',
  templates: 'ruby',
  insertions: [
    { file: 'lambda_function.rb', needle: 'lambda-image:handlers', snippet: 'function.rb.ejs' },
    { file: 'lambda_function.rb', needle: 'lambda-image:routes', snippet: 'route.rb.ejs' },
    { file: 'lib/__snake__/core.rb', needle: 'lambda-image:core', snippet: 'core.rb.ejs' },
    { file: 'test/handlers_test.rb', needle: 'lambda-image:tests', snippet: 'test.rb.ejs' },
  ],
  projectNameProblem: (names) =>
    TAKEN_CONSTANTS.has(names.pascal)
      ? `its Ruby module "${names.pascal}" is already a constant of Ruby or of the generated code`
      : undefined,
};
