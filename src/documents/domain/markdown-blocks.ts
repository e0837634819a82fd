// A version's Markdown as the blocks a PDF lays out: headings, paragraphs (in lists and quotes, with their
// bullets), code, tables and rules. Parsed by markdown-it with raw HTML off (an HTML tag is shown as the text
// it is) and its link validation on (a javascript:/vbscript:/data: link is not a link); inline emphasis
// becomes plain text, a link its text and address. Pure: no I/O.
import type MarkdownIt from 'markdown-it';
import { lazyModule, onFirstUse } from '../../common/lazy-module';

type Token = MarkdownIt.Token;

export type MarkdownBlock =
  | { kind: 'heading'; level: number; text: string }
  /** `depth`: list and quote nesting (0 at the top); `bullet`: the list marker of an item's first paragraph. */
  | { kind: 'paragraph'; text: string; depth: number; bullet: string | null; quote: boolean }
  | { kind: 'code'; text: string; depth: number }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'rule' };

/**
 * markdown-it (its default preset's maxNesting, 100) silently drops everything after a block nested that deep. Real documents nest a few
 * levels; text reaching this depth is shown as written instead, so that nothing is ever left out.
 */
export const PLAIN_TEXT_DEPTH = 60;

const markdownIt = lazyModule<typeof MarkdownIt>('markdown-it');
const parser = onFirstUse(() => new (markdownIt())({ html: false, linkify: false, typographer: false }));

/** Inline tokens as plain text: emphasis dropped, code kept, a link as "text (address)", an image its alt text. */
export function inlineText(children: Token[] | null): string {
  let out = '';
  let href: string | null = null;
  let linkText = '';
  const add = (s: string) => {
    if (href !== null) linkText += s;
    else out += s;
  };
  for (const t of children ?? []) {
    switch (t.type) {
      case 'text':
      case 'code_inline':
        add(t.content);
        break;
      case 'softbreak':
        add(' ');
        break;
      case 'hardbreak':
        add('\n');
        break;
      case 'image':
        add(t.content);
        break;
      case 'link_open':
        href = t.attrGet('href') ?? '';
        linkText = '';
        break;
      case 'link_close': {
        const target = href ?? '';
        out += linkText;
        if (target !== '' && target !== linkText && target !== `mailto:${linkText}`) out += ` (${target})`;
        href = null;
        break;
      }
      default:
        break; // em/strong/s open and close: plain text
    }
  }
  return out;
}

/** Where the walk over the tokens is: open lists and quotes, the pending list marker, a heading or table. */
interface Walk {
  blocks: MarkdownBlock[];
  /** Open lists, innermost last: ordered or not. */
  lists: boolean[];
  quotes: number;
  bullet: string | null;
  heading: number | null;
  table: { header: string[]; rows: string[][]; inHead: boolean; row: string[] } | null;
}

const depth = (w: Walk) => w.lists.length + w.quotes;

/** Tokens that open or close a container (heading, list, item, quote); false for any other token. */
function container(t: Token, w: Walk): boolean {
  switch (t.type) {
    case 'heading_open':
      w.heading = Number(t.tag.slice(1));
      return true;
    case 'heading_close':
      w.heading = null;
      return true;
    case 'bullet_list_open':
    case 'ordered_list_open':
      w.lists.push(t.type === 'ordered_list_open');
      return true;
    case 'bullet_list_close':
    case 'ordered_list_close':
      w.lists.pop();
      return true;
    case 'list_item_open':
      w.bullet = w.lists.at(-1) ? `${t.info || '1'}.` : '•';
      return true;
    case 'list_item_close':
      w.bullet = null;
      return true;
    case 'blockquote_open':
      w.quotes++;
      return true;
    case 'blockquote_close':
      w.quotes--;
      return true;
    default:
      return false;
  }
}

/** Table structure tokens; false for any other token. */
function tableToken(t: Token, w: Walk): boolean {
  switch (t.type) {
    case 'table_open':
      w.table = { header: [], rows: [], inHead: false, row: [] };
      return true;
    case 'thead_open':
    case 'thead_close':
      if (w.table) w.table.inHead = t.type === 'thead_open';
      return true;
    case 'tr_open':
      if (w.table) w.table.row = [];
      return true;
    case 'tr_close':
      if (w.table && w.table.inHead) w.table.header = w.table.row;
      else if (w.table) w.table.rows.push(w.table.row);
      return true;
    case 'table_close':
      if (w.table) w.blocks.push({ kind: 'table', header: w.table.header, rows: w.table.rows });
      w.table = null;
      return true;
    default:
      return false;
  }
}

/** Tokens with content: inline text (a heading, a table cell or a paragraph), code, rules. */
function contentToken(t: Token, w: Walk): void {
  if (t.type === 'inline') {
    const text = inlineText(t.children);
    if (w.table) w.table.row.push(text);
    else if (w.heading !== null) w.blocks.push({ kind: 'heading', level: w.heading, text });
    else {
      w.blocks.push({ kind: 'paragraph', text, depth: depth(w), bullet: w.bullet, quote: w.quotes > 0 });
      w.bullet = null; // later paragraphs of the same item are indented without a marker
    }
  } else if (t.type === 'fence' || t.type === 'code_block') {
    w.blocks.push({ kind: 'code', text: t.content.replace(/\n$/, ''), depth: depth(w) });
  } else if (t.type === 'hr') {
    w.blocks.push({ kind: 'rule' });
  } // paragraph, th/td, tbody open and close: structure only
}

/**
 * The blocks of `markdown`, in reading order. Markdown nested PLAIN_TEXT_DEPTH levels deep comes back as one
 * code block holding the text as written, after a note saying so.
 */
export function markdownBlocks(markdown: string): MarkdownBlock[] {
  const tokens = parser().parse(markdown, {});
  if (tokens.some((t) => t.level >= PLAIN_TEXT_DEPTH))
    return [
      {
        kind: 'paragraph',
        text: `This text nests more than ${PLAIN_TEXT_DEPTH} levels deep: it is shown as written.`,
        depth: 0,
        bullet: null,
        quote: false,
      },
      { kind: 'code', text: markdown, depth: 0 },
    ];
  const w: Walk = { blocks: [], lists: [], quotes: 0, bullet: null, heading: null, table: null };
  for (const t of tokens) if (!container(t, w) && !tableToken(t, w)) contentToken(t, w);
  return w.blocks;
}
