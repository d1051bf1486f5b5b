/**
 * The JSON Schema (draft 2020-12) of the model document, generated from the same input classes that validate it
 * (through their GraphQL input types: fields, types, required fields, enums, descriptions), so that ops keeping
 * the model in version control get completion and checks in their editor. Rules that span fields (one default
 * cluster, references by key, ascending stages …) are the API's: `validateModel` reports them.
 */
import 'reflect-metadata';
import {
  getNullableType, GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType, type GraphQLInputType,
} from 'graphql';
import { Arg, buildSchema, Query, Resolver } from 'type-graphql';
import { ModelDocumentInput } from './model.document';

@Resolver()
class ModelDocumentSchemaResolver {
  @Query(() => Boolean)
  modelDocument(@Arg('document', () => ModelDocumentInput) _document: ModelDocumentInput): boolean {
    return true;
  }
}

type Json = Record<string, unknown>;

export async function modelJsonSchema(): Promise<Json> {
  // Its own tiny schema (the API takes the document as JSON, to report every problem at once): only the document's input types.
  const schema = await buildSchema({ resolvers: [ModelDocumentSchemaResolver], validate: false, authChecker: () => true });
  const defs: Record<string, Json> = {};
  const ref = (t: GraphQLInputType): Json => {
    const named = getNullableType(t);
    if (named instanceof GraphQLList) return { type: 'array', items: ref(named.ofType) };
    if (named instanceof GraphQLEnumType) return { enum: named.getValues().map((v) => v.value), ...(named.description ? { description: named.description } : {}) };
    if (named instanceof GraphQLScalarType) {
      return ({ Float: { type: 'number' }, Int: { type: 'integer' }, String: { type: 'string' }, ID: { type: 'string' }, Boolean: { type: 'boolean' } } as Record<string, Json>)[named.name]
        ?? { description: named.description ?? 'Any JSON value.' };
    }
    const obj = named as GraphQLInputObjectType;
    if (!defs[obj.name]) {
      defs[obj.name] = {}; // placeholder: recursive types (rules) refer to themselves
      const fields = Object.values(obj.getFields());
      defs[obj.name] = {
        type: 'object',
        ...(obj.description ? { description: obj.description } : {}),
        properties: Object.fromEntries(fields.map((f) => {
          const s = ref(f.type);
          const nullable = !(f.type instanceof GraphQLNonNull);
          const withNull = !nullable ? s : 'type' in s ? { ...s, type: [s.type, 'null'] } : 'enum' in s ? { ...s, enum: [...(s.enum as unknown[]), null] }
            : '$ref' in s ? { anyOf: [s, { type: 'null' }] } : s;
          return [f.name, { ...withNull, ...(f.description ? { description: f.description } : {}), ...(f.defaultValue !== undefined ? { default: f.defaultValue } : {}) }];
        })),
        required: fields.filter((f) => f.type instanceof GraphQLNonNull && f.defaultValue === undefined).map((f) => f.name),
        additionalProperties: false,
      };
    }
    return { $ref: `#/$defs/${obj.name}` };
  };
  const root = ref(schema.getQueryType()!.getFields().modelDocument.args[0].type);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://outcome-health.example/schema/model.schema.json',
    title: 'Outcome Health model document',
    description: 'The whole health model of a workspace, as the `model` query exports it and `updateModelDraft` accepts it. Generated from the code by `npm run schema:emit`.',
    ...root,
    $defs: defs,
  };
}
