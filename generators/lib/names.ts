// Every name derived from the project name, computed once so templates and
// tooling agree (orders-svc -> orders_svc -> OrdersSvc -> ordersSvc).

export interface ProjectNames {
  /** The npm-style project name: orders-svc. */
  name: string;
  /** snake_case: orders_svc (Python package, Ruby file names). */
  snake: string;
  /** camelCase: ordersSvc. */
  camel: string;
  /** PascalCase: OrdersSvc (Java, .NET). */
  pascal: string;
  /** lowercase letters and digits only: orderssvc (Java package segment). */
  flat: string;
}

export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export const snakeCase = (name: string): string => words(name).join('_');
export const pascalCase = (name: string): string =>
  words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
export const camelCase = (name: string): string => {
  const p = pascalCase(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
};

export function projectNames(name: string): ProjectNames {
  return {
    name,
    snake: snakeCase(name),
    camel: camelCase(name),
    pascal: pascalCase(name),
    flat: words(name).join(''),
  };
}
