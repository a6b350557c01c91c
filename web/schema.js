/** A small JSON Schema (draft 2020-12) validator for the keywords metadata.schema.json uses; no DOM, no packages. */

// Keywords that only annotate: ignored when validating.
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'title', 'description', 'default', 'examples']);
// Keywords about the value itself; when one fails, the value is reported once, by what the schema asks for.
const VALUE_KEYWORDS = [
  'type',
  'const',
  'enum',
  'anyOf',
  'minimum',
  'maximum',
  'minLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
];
const STRUCTURE_KEYWORDS = ['$ref', 'required', 'properties', 'additionalProperties', 'prefixItems', 'items', 'allOf'];
const SUPPORTED = new Set([...ANNOTATIONS, ...VALUE_KEYWORDS, ...STRUCTURE_KEYWORDS, 'if', 'then', 'else']);

const NOUNS = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** A JSON value as a short string for messages: `"wgan"`, `0`, `[28,28]`, `{"name":"noise",…}`. */
function repr(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function hasType(value, type) {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      throw new Error(`schema.js: unknown type ${repr(type)}`);
  }
}

const isObject = (value) => hasType(value, 'object');

/** JSON equality: numbers by value, objects regardless of key order, never true vs 1. */
function equal(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => equal(item, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && equal(a[key], b[key]));
  }
  return a === b;
}

/** What `schema` asks of a value, as words: "an integer >= 1", "one of "cgan", "dcgan"", "an array of 3 items". */
export function describe(schema) {
  if (schema === false) return 'absent';
  if (schema === true) return 'anything';
  if ('const' in schema) return repr(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(repr).join(', ')}`;
  if (schema.anyOf) return schema.anyOf.map(describe).join(' or ');
  const types = [].concat(schema.type ?? []);
  const nullable = types.includes('null');
  const named = types.filter((type) => type !== 'null');
  const words = [named.map((type) => NOUNS[type]).join(' or ')];
  const { minimum: low, maximum: high } = schema;
  if (low !== undefined && high !== undefined) words.push(`from ${low} to ${high}`);
  else if (low !== undefined) words.push(`>= ${low}`);
  else if (high !== undefined) words.push(`<= ${high}`);
  if (schema.minLength !== undefined) words.push(`of at least ${plural(schema.minLength, 'character')}`);
  if (schema.pattern !== undefined) words.push(`matching /${schema.pattern}/`);
  const { minItems: fewest, maxItems: most } = schema;
  if (most === 0) words.push('with no items');
  else if (fewest !== undefined && fewest === most) words.push(`of ${plural(fewest, 'item')}`);
  else if (fewest !== undefined && most !== undefined) words.push(`of ${fewest} to ${most} items`);
  else if (fewest !== undefined) words.push(`of at least ${plural(fewest, 'item')}`);
  else if (most !== undefined) words.push(`of at most ${plural(most, 'item')}`);
  if (schema.minProperties !== undefined) words.push(`with at least ${plural(schema.minProperties, 'entry')}`);
  const text = words.filter(Boolean).join(' ') || 'anything';
  if (!nullable) return text;
  return types.length === 1 ? 'null' : `${text}, or null`;
}

/** A path of keys and indices as it reads in JavaScript: `inputs[0].shape[1]`, `sha256["model.json"]`. */
export function formatPath(path) {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (!/^[A-Za-z_$][\w$]*$/.test(part)) return `[${JSON.stringify(part)}]`;
      return i === 0 ? part : `.${part}`;
    })
    .join('');
}

/** One failure as a sentence: "latent_dim must be an integer >= 1 (got 0)". */
export function formatError(error) {
  const where = error.path.length ? formatPath(error.path) : 'the document';
  return `${where} ${error.message}${error.because ? `, since ${error.because}` : ''}`;
}

/** JSON pointer `#/$defs/name` -> the part of `root` it names. */
function resolve(root, ref) {
  if (!ref.startsWith('#')) throw new Error(`schema.js: only local $ref is supported, not ${repr(ref)}`);
  let target = root;
  for (const token of ref.slice(1).split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (target === null || typeof target !== 'object' || !(key in target)) {
      throw new Error(`schema.js: $ref ${repr(ref)} names nothing`);
    }
    target = target[key];
  }
  return target;
}

/** The value keywords of `schema` that `value` breaks (each applies only to its own kind of value). */
function valueFails(schema, value, root) {
  if (schema.type !== undefined && ![].concat(schema.type).some((type) => hasType(value, type))) return true;
  if ('const' in schema && !equal(value, schema.const)) return true;
  if (schema.enum && !schema.enum.some((option) => equal(value, option))) return true;
  if (schema.anyOf && !schema.anyOf.some((branch) => check(branch, value, [], root).length === 0)) return true;
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && !(value >= schema.minimum)) return true;
    if (schema.maximum !== undefined && !(value <= schema.maximum)) return true;
  }
  if (typeof value === 'string') {
    // Length in code points, as JSON Schema counts it.
    if (schema.minLength !== undefined && [...value].length < schema.minLength) return true;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return true;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return true;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return true;
  }
  if (isObject(value) && schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties) {
    return true;
  }
  return false;
}

function check(schema, value, path, root) {
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'is not allowed here' }];
  for (const keyword of Object.keys(schema)) {
    if (!SUPPORTED.has(keyword)) throw new Error(`schema.js does not implement the keyword ${repr(keyword)}`);
  }
  const errors = [];
  if (schema.$ref !== undefined) errors.push(...check(resolve(root, schema.$ref), value, path, root));
  if (valueFails(schema, value, root)) {
    // One error per value: a wrong type is not also reported as a missing key or a bad item.
    return errors.concat({ path, message: `must be ${describe(schema)} (got ${repr(value)})` });
  }
  if (isObject(value)) {
    const properties = schema.properties || {};
    for (const key of schema.required || []) {
      if (!Object.hasOwn(value, key)) errors.push({ path: path.concat(key), message: 'is missing' });
    }
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(properties, key)) {
        errors.push(...check(properties[key], value[key], path.concat(key), root));
      } else if (schema.additionalProperties === false) {
        errors.push({ path: path.concat(key), message: 'is not a known field' });
      } else if (schema.additionalProperties !== undefined) {
        errors.push(...check(schema.additionalProperties, value[key], path.concat(key), root));
      }
    }
  }
  if (Array.isArray(value)) {
    const prefix = schema.prefixItems || [];
    value.forEach((item, index) => {
      const itemSchema = index < prefix.length ? prefix[index] : schema.items;
      if (itemSchema !== undefined) errors.push(...check(itemSchema, item, path.concat(index), root));
    });
  }
  for (const part of schema.allOf || []) errors.push(...check(part, value, path, root));
  if (schema.if !== undefined) {
    const branch = check(schema.if, value, path, root).length === 0 ? schema.then : schema.else;
    if (branch !== undefined) {
      const because = branch.description;
      errors.push(...check(branch, value, path, root).map((error) => ({ because, ...error })));
    }
  }
  return errors;
}

/**
 * `value` against `schema` -> the list of failures, empty when valid; each is {path, message, because?}:
 * path the keys and indices to the bad field, `because` the description of the if/then branch that asked.
 * Throws an Error when the schema uses a keyword this module does not implement.
 */
export function validate(schema, value) {
  return check(schema, value, [], schema);
}
