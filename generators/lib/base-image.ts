// The third way to build a Lambda image: on another image (python:3.14-slim, a company's
// golden image, a distroless one) with AWS's runtime interface client installed into it,
// instead of on an AWS base image. The languages whose client can be had from their own
// registry: awslambdaric (PyPI), aws-lambda-ric (npm), the Java client (Maven Central);
// Go's aws-lambda-go is its own client. Each has its Dockerfile in
// templates/<runtime>/base-image/, chosen when the manifest records such an image.
import { join } from 'node:path';
import type { RuntimeSpec } from './catalogue.ts';
import { TEMPLATES } from './paths.ts';

export const OTHER_IMAGE_RUNTIMES: readonly string[] = ['python', 'nodejs', 'java', 'go'];

/** The public image most teams would start from for this runtime and version (a prompt's default, the help's examples). */
export function otherImageExample(runtime: Pick<RuntimeSpec, 'id'>, version: string): string {
  switch (runtime.id) {
    case 'python':
      return `python:${version}-slim`;
    case 'nodejs':
      return `node:${version}-slim`;
    case 'java':
      return `eclipse-temurin:${version}-jre`;
    default:
      // The Go binary is static: any Linux image serves, even a distroless one.
      return 'debian:trixie-slim';
  }
}

/** The Dockerfile template for a project on another image, replacing templates/<runtime>/files/Dockerfile.ejs. */
export function otherImageDockerfile(runtime: Pick<RuntimeSpec, 'templates'>): string {
  return join(TEMPLATES, runtime.templates, 'base-image', 'Dockerfile.ejs');
}
