import { planned } from './_planned.ts';
import { camelCase } from '../names.ts';

export const java = planned({
  id: 'java',
  label: 'Java',
  imageRepository: 'java',
  tags: [{ tag: '25' }, { tag: '21' }, { tag: '17' }, { tag: '11' }],
  identifier: camelCase,
  handlerString: (identifier, names) => `com.example.${names.flat}.LambdaFunction::${identifier}`,
  dispatcher: (names) => `com.example.${names.flat}.LambdaFunction::handleRequest`,
  testCommand: 'mvn -q test',
});
