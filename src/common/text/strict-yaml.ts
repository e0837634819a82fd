// YAML that people write and the product reads (the catalog, data maps, policies' front matter): the core
// schema only, unique keys, and no anchors, aliases or custom tags (reviewed text, not a serialisation
// format; aliases are how billion-laughs bombs are built). Problems come back with the offset they point at,
// in words: nesting deep enough to exhaust the parser is one problem, not the hundreds of follow-on syntax
// errors the parser reports after it, and a file with many problems lists the first MAX_YAML_PROBLEMS.
import {
  Document,
  isAlias,
  isCollection,
  isNode,
  isPair,
  LineCounter,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';

export const MAX_YAML_PROBLEMS = 50;

export interface YamlProblem {
  /** Character offset in the text (undefined: the start). */
  offset: number | undefined;
  message: string;
}

export interface StrictYaml {
  doc: Document;
  lineCounter: LineCounter;
  problems: YamlProblem[];
}

const TOO_DEEP = 'collections are nested too deeply to read';

/** A parser error in words: its first line (no code frame); exhaustion as what it means for the writer. */
export function yamlErrorMessage(e: YAMLError): string {
  return e.code === 'RESOURCE_EXHAUSTION' ? TOO_DEEP : e.message.split('\n')[0].replace(/:$/, '');
}

export function parseStrictYaml(text: string): StrictYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false });
  return { doc, lineCounter, problems: strictYamlProblems(doc) };
}

/** The problems of a parsed document by these rules (also for each document of a multi-document stream). */
export function strictYamlProblems(doc: Document): YamlProblem[] {
  const errors = [...doc.errors, ...doc.warnings];
  const exhausted = errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) return [{ offset: exhausted.pos[0], message: TOO_DEEP }];
  const problems: YamlProblem[] = errors.map((e) => ({ offset: e.pos[0], message: yamlErrorMessage(e) }));
  visit(doc, (_key, node) => {
    if (isAlias(node))
      problems.push({ offset: node.range?.[0], message: `YAML aliases (*${node.source}) are not allowed` });
    else if (isPair(node) && isCollection(node.key))
      problems.push({ offset: node.key.range?.[0], message: 'keys must be plain values, not lists or mappings' });
    else if (isNode(node)) {
      if (node.anchor)
        problems.push({ offset: node.range?.[0], message: `YAML anchors (&${node.anchor}) are not allowed` });
      if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:'))
        problems.push({ offset: node.range?.[0], message: `custom YAML tags (${node.tag}) are not allowed` });
    }
  });
  if (problems.length > MAX_YAML_PROBLEMS) {
    const more = problems.length - MAX_YAML_PROBLEMS;
    const next = problems[MAX_YAML_PROBLEMS];
    problems.length = MAX_YAML_PROBLEMS;
    problems.push({ offset: next.offset, message: `and ${more} more problems from here on` });
  }
  return problems;
}
