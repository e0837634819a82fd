// The audit-pack PDF layout: read from templates/pdf/audit-pack.yaml (format: templates/pdf/README.md),
// validated, with fonts resolved to files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const SECTION_IDS = [
  'contents',
  'scope',
  'applicability',
  'matrix',
  'evidence',
  'sweeps',
  'exceptions',
  'risks',
  'dsr',
  'incidents',
  'policies',
  'releases',
  'security',
  'audit-trail',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** The 14 standard PDF fonts pdfkit knows by name (WinAnsi only: fine for hex digests, not for Thai). */
const STANDARD_FONTS = [
  'Courier',
  'Courier-Bold',
  'Courier-Oblique',
  'Courier-BoldOblique',
  'Helvetica',
  'Helvetica-Bold',
  'Helvetica-Oblique',
  'Helvetica-BoldOblique',
  'Times-Roman',
  'Times-Bold',
  'Times-Italic',
  'Times-BoldItalic',
  'Symbol',
  'ZapfDingbats',
];

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f2933');
const points = z.number().min(0).max(2000);
const fontRef = z.string().min(1);

const layoutSchema = z
  .object({
    page: z.object({
      size: z.union([z.string().regex(/^[A-Za-z0-9]+$/), z.tuple([points, points])]).default('A4'),
      margins: z.object({ top: points, bottom: points, left: points, right: points }),
    }),
    fonts: z.object({ regular: fontRef, bold: fontRef, mono: fontRef }),
    sizes: z.object({
      title: points,
      heading: points,
      subheading: points,
      body: points,
      table: points,
      small: points,
      mono: points,
    }),
    lineHeight: z.number().min(1).max(3).default(1.35),
    colours: z.object({
      text: colour,
      muted: colour,
      accent: colour,
      rule: colour,
      tableHeader: colour,
      tableStripe: colour,
      good: colour,
      bad: colour,
      levels: z.record(z.string(), colour),
    }),
    header: z.object({ left: z.string().default(''), right: z.string().default('') }),
    footer: z.object({ left: z.string().default(''), right: z.string().default('') }),
    cover: z.object({ title: z.string().min(1), subtitle: z.string().default(''), note: z.string().default('') }),
    sections: z
      .array(
        z.object({
          id: z.enum(SECTION_IDS),
          title: z.string().min(1),
          newPage: z.boolean().default(true),
          intro: z.string().default(''),
        }),
      )
      .min(1),
  })
  .strict();

export type PackLayout = z.infer<typeof layoutSchema> & {
  /** Font name → file path, or a standard PDF font name. */
  fontFiles: { regular: string; bold: string; mono: string };
};

export class PackLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackLayoutError';
  }
}

/** The layout file inside a templates folder: `<templatesDir>/pdf/audit-pack.yaml` (or `<dir>/audit-pack.yaml`). */
export function layoutPath(templatesDir: string): string {
  const nested = join(templatesDir, 'pdf', 'audit-pack.yaml');
  if (existsSync(nested)) return nested;
  const direct = join(templatesDir, 'audit-pack.yaml');
  if (existsSync(direct)) return direct;
  throw new PackLayoutError(`no PDF layout: neither ${nested} nor ${direct} exists`);
}

export function loadLayout(templatesDir: string): PackLayout {
  const file = layoutPath(templatesDir);
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'), { maxAliasCount: 0 });
  } catch (e) {
    throw new PackLayoutError(`${file} is not valid YAML (${(e as Error).message})`);
  }
  const parsed = layoutSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PackLayoutError(`${file}: ${issue.path.join('.') || '(top level)'} ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const s of parsed.data.sections) {
    if (seen.has(s.id)) throw new PackLayoutError(`${file}: section ${s.id} is listed twice`);
    seen.add(s.id);
  }
  const base = dirname(file);
  return {
    ...parsed.data,
    fontFiles: {
      regular: resolveFont(parsed.data.fonts.regular, base, file),
      bold: resolveFont(parsed.data.fonts.bold, base, file),
      mono: resolveFont(parsed.data.fonts.mono, base, file),
    },
  };
}

/**
 * A font reference: a standard PDF font name (Courier…), `package:<npm package>/<file>` resolved from the
 * installed packages, or a path relative to the layout file.
 */
function resolveFont(ref: string, base: string, file: string): string {
  if (STANDARD_FONTS.includes(ref)) return ref;
  if (ref.startsWith('package:')) {
    try {
      return require.resolve(ref.slice('package:'.length));
    } catch {
      throw new PackLayoutError(`${file}: font ${ref} is not installed (npm install the package)`);
    }
  }
  const path = isAbsolute(ref) ? ref : resolve(base, ref);
  if (!existsSync(path)) throw new PackLayoutError(`${file}: font file ${path} does not exist`);
  return path;
}
