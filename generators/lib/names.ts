// Every name derived from the project name, computed once so templates and
// tooling agree (orders-svc -> orders_svc -> OrdersSvc -> ordersSvc), plus the two
// names a language lets the user choose (--java-package, --go-module).

export interface ProjectNames {
  /** The npm-style project name: orders-svc. */
  name: string;
  /** snake_case: orders_svc (Python package, Ruby file names). */
  snake: string;
  /** camelCase: ordersSvc. */
  camel: string;
  /** PascalCase: OrdersSvc (Java, .NET). */
  pascal: string;
  /** lowercase letters and digits only: orderssvc (the default Java package's last segment). */
  flat: string;
  /** The Java package: com.example.orderssvc unless --java-package says otherwise. */
  javaPackage: string;
  /** Its folder under src/main/java and src/test/java: com/example/orderssvc. */
  javaPath: string;
  /** The Go module path: example.com/orders-svc unless --go-module says otherwise. */
  goModule: string;
}

export interface ChosenNames {
  javaPackage?: string;
  goModule?: string;
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

export const defaultJavaPackage = (name: string): string => `com.example.${words(name).join('')}`;
export const defaultGoModule = (name: string): string => `example.com/${name}`;

export function projectNames(name: string, chosen: ChosenNames = {}): ProjectNames {
  const javaPackage = chosen.javaPackage ?? defaultJavaPackage(name);
  return {
    name,
    snake: snakeCase(name),
    camel: camelCase(name),
    pascal: pascalCase(name),
    flat: words(name).join(''),
    javaPackage,
    javaPath: javaPackage.replaceAll('.', '/'),
    goModule: chosen.goModule ?? defaultGoModule(name),
  };
}
