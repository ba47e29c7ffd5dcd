// vitest globalSetup: the local npm registry every test that installs a generated project uses
// (inject('registry'), or npmEnv() from ./install.ts).
import type { TestProject } from 'vitest/node';
import { startRegistry } from './registry.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    registry: string;
  }
}

export default async function setup(project: TestProject) {
  const registry = await startRegistry();
  project.provide('registry', registry.url);
  return () => registry.stop();
}
