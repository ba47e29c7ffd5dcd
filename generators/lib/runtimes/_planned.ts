// Shape shared by the languages whose templates are not delivered yet (issue 5):
// listed in the catalogue with their real base images, refused when chosen.
import type { RuntimeSpec } from '../catalogue.ts';

export function planned(spec: Pick<RuntimeSpec, 'id' | 'label' | 'imageRepository' | 'tags' | 'identifier' | 'handlerString' | 'dispatcher' | 'testCommand'>): RuntimeSpec {
  return {
    ...spec,
    available: false,
    verified: '',
    reserved: new Set(),
    templates: spec.id,
    insertions: [],
  };
}
