/**
 * What "blank" and "length" mean for text that people type, as one TypeBox type (`Text`) that every
 * model uses for its limited fields. Both are decided on the text composed (Unicode NFC), so "é"
 * counts once however it was typed, and length counts code points, not UTF-16 units (😀 is one
 * character, as PostgreSQL's char_length counts it). Not grapheme clusters: one cluster may hold
 * any number of combining marks, so a limit in clusters would bound nothing, and where clusters
 * break changes with each Unicode version. TypeBox's own minLength/maxLength count UTF-16 units and
 * its patterns are compiled without the `u` flag, hence a type of our own; its schema keeps the
 * standard keywords (`type`, `minLength`, `maxLength`, `pattern`, `format`) for the API documentation.
 */
import { Kind, type SchemaOptions, type TUnsafe, Type, TypeRegistry } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { isHttpUrl } from './urls';

/**
 * A character that shows something: not whitespace, not a default-ignorable code point (zero-width
 * spaces and joiners, direction marks, soft hyphen, Hangul fillers, variation selectors, tags...),
 * and not one of the few that fonts draw as nothing (braille blank U+2800, musical null notehead
 * U+1D159).
 */
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]/u;

/** Text with nothing visible in it: blank (composing it changes nothing here, see brokenTextRule). */
export function isBlank(text: string): boolean {
  return !VISIBLE.test(text);
}

/** Checks a Text may name by `format`, by the name the API documentation shows. */
const FORMATS = {
  /** An http or https address, or blank (for a field that blank clears). */
  'http-url': (text: string) => text.trim() === '' || isHttpUrl(text.trim()),
} satisfies Record<string, (text: string) => boolean>;

export interface TextOptions extends Pick<SchemaOptions, 'description' | 'examples'> {
  /** In characters (code points, after NFC). */
  minLength?: number;
  maxLength?: number;
  /** Refuse text with nothing visible in it. */
  notBlank?: boolean;
  /** A regular expression the text as sent must match (compiled once, with the `u` flag). */
  pattern?: string;
  /** The message when the pattern is not matched (else "is invalid"). */
  patternHint?: string;
  format?: keyof typeof FORMATS;
  /** The message when the format is not met (else "is invalid"). */
  formatHint?: string;
  /** See MUST_BE_FILLED in ./models. */
  mustBeFilled?: boolean;
}

/** Each pattern compiled once, when the first schema naming it is made. */
const PATTERNS = new Map<string, RegExp>();

/**
 * Code points in well-formed text: every UTF-16 unit but the second half of a surrogate pair. (Text
 * with a lone surrogate may be miscounted by one; it is refused anyway, see src/core/http.ts.)
 */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xfc00) !== 0xdc00) count++;
  return count;
}

/** The length in characters: code points of the composed text. */
function characters(text: string): number {
  return codePoints(text.normalize('NFC'));
}

/*
 * Normalizing costs a pass over the text, so it is skipped when it cannot change the verdict. A
 * code point is one or two UTF-16 units; NFC makes one code point at most three (a bound Unicode's
 * stability policy guarantees) and composes at most four into one (the longest canonical
 * decomposition). So text of at most a third of the maximum in units is within it in any form (most
 * text), and text of at least eight times the minimum is above it.
 */
function longerThan(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return false;
  const composed = text.normalize('NFC');
  // Fewer units than the limit means fewer code points: no need to count them.
  return composed.length > limit && codePoints(composed) > limit;
}

function shorterThan(text: string, limit: number): boolean {
  return text.length < 8 * limit && characters(text) < limit;
}

/**
 * The rule a value breaks, as the string check TypeBox would have reported (or 'blank'); undefined
 * when it is fine. Blankness is tested on the text as sent: no character's canonical decomposition
 * changes whether it shows (text-rules.test.ts checks every code point), so it is the same after NFC.
 */
export function brokenTextRule(schema: TextOptions, value: unknown): ValueErrorType | 'blank' | undefined {
  if (typeof value !== 'string') return ValueErrorType.String;
  if (schema.notBlank && !VISIBLE.test(value)) return 'blank';
  if (schema.minLength !== undefined && shorterThan(value, schema.minLength)) return ValueErrorType.StringMinLength;
  if (schema.maxLength !== undefined && longerThan(value, schema.maxLength)) return ValueErrorType.StringMaxLength;
  if (schema.pattern !== undefined && !PATTERNS.get(schema.pattern)?.test(value)) return ValueErrorType.StringPattern;
  if (schema.format !== undefined && !FORMATS[schema.format](value)) return ValueErrorType.StringFormat;
  return undefined;
}

/**
 * A string field of text people type, limited in characters (see above). A value that breaks a rule
 * is reported by src/core/http.ts with the message the matching string rule has.
 */
export function Text(options: TextOptions = {}): TUnsafe<string> {
  if (!TypeRegistry.Has('Text')) {
    TypeRegistry.Set<TextOptions>('Text', (schema, value) => brokenTextRule(schema, value) === undefined);
  }
  if (options.pattern !== undefined && !PATTERNS.has(options.pattern)) {
    PATTERNS.set(options.pattern, new RegExp(options.pattern, 'u'));
  }
  return Type.Unsafe<string>({ ...options, [Kind]: 'Text', type: 'string' });
}
