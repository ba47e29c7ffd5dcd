import { planned } from './_planned.ts';
import { camelCase } from '../names.ts';

export const go = planned({
  id: 'go',
  label: 'Go',
  imageRepository: 'provided',
  tags: [{ tag: 'al2023' }, { tag: 'al2', deprecated: '2026-06-30' }],
  identifier: camelCase,
  handlerString: (identifier) => identifier,
  dispatcher: () => 'dispatch',
  testCommand: 'go test ./...',
});
