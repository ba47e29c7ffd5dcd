import { planned } from './_planned.ts';
import { snakeCase } from '../names.ts';

export const ruby = planned({
  id: 'ruby',
  label: 'Ruby',
  imageRepository: 'ruby',
  tags: [{ tag: '3.4' }, { tag: '3.3' }],
  identifier: snakeCase,
  handlerString: (identifier) => `lambda_function.${identifier}`,
  dispatcher: () => 'lambda_function.lambda_handler',
  testCommand: 'ruby -Ilib -Itest -e "Dir[\'test/**/*_test.rb\'].each { |f| require File.expand_path(f) }"',
});
