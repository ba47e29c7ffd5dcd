import { planned } from './_planned.ts';
import { pascalCase } from '../names.ts';

export const dotnet = planned({
  id: 'dotnet',
  label: '.NET',
  imageRepository: 'dotnet',
  tags: [{ tag: '10' }, { tag: '8', deprecated: '2026-11-10' }],
  identifier: pascalCase,
  handlerString: (identifier, names) => `${names.pascal}::${names.pascal}.LambdaFunction::${identifier}`,
  dispatcher: (names) => `${names.pascal}::${names.pascal}.LambdaFunction::Dispatch`,
  testCommand: 'dotnet test',
});
