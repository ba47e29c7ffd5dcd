import type { RuntimeSpec } from '../catalogue.ts';
import { pascalCase } from '../names.ts';

// C# keywords (and the contextual ones). Handler identifiers are PascalCase, so none of these
// can collide as such, but the user's own name is refused too, as in every other language:
// `class` or `namespace` as a function name is more trouble than it is worth.
const KEYWORDS = 'abstract as base bool break byte case catch char checked class const continue decimal default delegate do double else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface internal is lock long namespace new null object operator out override params private protected public readonly ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint ulong unchecked unsafe ushort using virtual void volatile while add and alias ascending async await by descending dynamic equals from get global group init into join let managed nameof nint not notnull nuint on or orderby partial record remove required scoped select set unmanaged value var when where with yield';
// The entry class's own members (a method named like its class is an error too), the members
// it inherits from object, and the core class's members.
const ENTRY_CLASS = 'LambdaFunction Dispatch HandlerNames UnknownHandlerException EmptyEvent Serializer Typed Equals GetHashCode ToString GetType MemberwiseClone Finalize ReferenceEquals';
const CORE_CLASS = 'Core Summarize RecordsOf AmountOf';
// The types those two classes name unqualified: in C#, a method called `Math` or `Dictionary`
// hides the type of that name inside its class (Java keeps methods and types apart).
const TYPES_USED = 'Math Dictionary List IEnumerable IReadOnlyList Func JsonElement JsonValueKind JsonDocument CultureInfo NumberStyles ArgumentException ILambdaContext JsonSerializer MemoryStream DefaultLambdaJsonSerializer SQSEvent SQSBatchResponse APIGatewayHttpApiV2ProxyRequest APIGatewayHttpApiV2ProxyResponse ScheduledEvent Convert Encoding JsonException DateTime';
// Namespaces the generated code imports or that would shadow its own types.
const TAKEN_NAMESPACES = new Set(['System', 'Microsoft', 'Amazon', 'Xunit', 'LambdaFunction', 'Core']);

export const dotnet: RuntimeSpec = {
  id: 'dotnet',
  label: '.NET',
  imageRepository: 'dotnet',
  tags: [{ tag: '10' }, { tag: '8', deprecation: '2026-11-10' }],
  verified:
    'Golden files and structural checks only: the .csproj files parse with the expected packages, every handler string names a method of LambdaFunction.cs, the Dockerfile and the manifest agree',
  standsIn:
    '**Nothing runs**: no .NET SDK and no NuGet here, so `dotnet test`, the image build and `npm run local` are not run, and there is no dotnet base image',
  identifier: pascalCase,
  reserved: new Set(`${KEYWORDS} ${ENTRY_CLASS} ${CORE_CLASS} ${TYPES_USED}`.split(' ')),
  handlerString: (identifier, names) => `${names.pascal}::${names.pascal}.LambdaFunction::${identifier}`,
  dispatcher: (names) => `${names.pascal}::${names.pascal}.LambdaFunction::Dispatch`,
  testCommand: 'dotnet test',
  templates: 'dotnet',
  insertions: [
    { file: 'src/__pascal__/LambdaFunction.cs', needle: 'lambda-image:handlers', snippet: 'function.cs.ejs' },
    { file: 'src/__pascal__/LambdaFunction.cs', needle: 'lambda-image:routes', snippet: 'route.cs.ejs' },
    { file: 'src/__pascal__/Core.cs', needle: 'lambda-image:core', snippet: 'core.cs.ejs' },
    { file: 'test/__pascal__.Tests/LambdaFunctionTests.cs', needle: 'lambda-image:tests', snippet: 'test.cs.ejs' },
  ],
  projectNameProblem: (names) =>
    TAKEN_NAMESPACES.has(names.pascal)
      ? `its assembly and namespace "${names.pascal}" would clash with ${names.pascal === 'LambdaFunction' || names.pascal === 'Core' ? 'a class of the generated code' : 'a namespace the generated code uses'}`
      : undefined,
};
