import nlp from 'compromise';
import { isTrivialMessage } from '@/lib/memory/chat/prompt';
import type { ExtractedEntity, ExtractedRelation } from './types';

// Work per message is bounded whatever its size: rules read bounded text, and no regex here backtracks more than
// a constant per position (no lazy or nested unbounded quantifier followed by alternatives).
/** Category, slot and preference rules read the start of a message: facts are stated early, and a 32k turn costs no more. */
export const MAX_RULE_CHARS = 2_000;
/** A sentence is cut to this: slot phrases are short, and each rule then scans at most this much. */
export const MAX_SENTENCE_CHARS = 300;
/** compromise costs tens of µs a character (more for many short sentences), so it reads at most this much of a message. */
export const MAX_NLP_CHARS = 2_000;
/** More names than this in one turn is a list, not facts about the end user; it also bounds relation and graph work. */
export const MAX_ENTITIES = 30;

/** The first `max` characters, cut back to a word boundary so no name is split. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const lastBreak = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  return lastBreak > max - 50 ? cut.slice(0, lastBreak) : cut;
}

/** A sentence and whether it was cut: words after a cut are unknown, so a clause may not end there. */
export interface SentenceText {
  text: string;
  cut: boolean;
}

/** The sentences of the start of `text`, each on one line with single spaces (so no `\s+` below can backtrack). */
export function sentencesOf(text: string): SentenceText[] {
  const start = clip(text, MAX_RULE_CHARS);
  const sentences = start
    .replace(/[‘’]/g, "'")
    .split(/(?<=[.!?])\s+|[\n;]+/)
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence.length > 0)
    .map((sentence) => ({ text: clip(sentence, MAX_SENTENCE_CHARS), cut: sentence.length > MAX_SENTENCE_CHARS }));
  const last = sentences[sentences.length - 1];
  if (last && start.length < text.length) last.cut = true;
  return sentences;
}

// Ordered: the first category whose pattern matches wins.
const CATEGORY_RULES: [string, RegExp][] = [
  ['location', /\b(live[sd]?|living|moved|moving|relocat\w*|based in|hometown|grew up in|neighbou?rhood|apartment|house in)\b/i],
  ['work', /\b(work(s|ed|ing)?|job|employ\w*|company|startup|office|career|hired|promot\w*|colleague|boss|manager|salary|intern\w*)\b/i],
  ['health', /\b(allerg\w*|diet|vegan|vegetarian|gluten|sick|doctor|medicat\w*|injur\w*|health|therapy|diagnos\w*)\b/i],
  ['relationship', /\b(wife|husband|partner|girlfriend|boyfriend|married|divorc\w*|engaged|son|daughter|kids?|children|mother|father|mom|dad|sister|brother|friend|family)\b/i],
  ['preference', /\b(like[sd]?|love[sd]?|enjoy\w*|prefer\w*|favou?rite|hate[sd]?|dislike[sd]?|fan of|can't stand)\b/i],
  ['plan', /\b(going to|plan(s|ned|ning)?|will be|next (week|month|year)|tomorrow|soon|trip|vacation|travel\w*)\b/i],
  ['hobby', /\b(hobby|hobbies|play(s|ed|ing)?|paint\w*|hik(e|es|ed|ing)|read(s|ing)?|running|guitar|piano|garden\w*|cook(s|ed|ing)?|photograph\w*)\b/i],
];

export function categorize(text: string): string {
  const start = clip(text, MAX_RULE_CHARS);
  return CATEGORY_RULES.find(([, pattern]) => pattern.test(start))?.[0] ?? 'general';
}

const PRONOUNS = new Set(['i', 'me', 'my', 'it', 'this', 'that', 'you', 'we', 'they', 'them', 'he', 'she', 'something', 'anything', 'everything', 'lot', 'a lot', 'things', 'thing']);
const RELATION_WORDS = /^(my|our|his|her|their)?\s*(wife|husband|partner|girlfriend|boyfriend|son|daughter|kid|mother|father|mom|dad|sister|brother|friend|best friend|boss|manager|colleague|cousin|aunt|uncle)\s+/i;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}\s'-]/gu, '').replace(/\s+/g, ' ').trim();
}

function cleanName(raw: string): string {
  return raw.replace(/[.,!?;:"()]+/g, ' ').replace(RELATION_WORDS, '').replace(/'s$/i, '').replace(/\s+/g, ' ').trim();
}

/** People, places and organisations named in the start of the text, through compromise (a rule-based NLP library). */
export function findEntities(text: string): ExtractedEntity[] {
  const doc = nlp(clip(text, MAX_NLP_CHARS));
  const found: ExtractedEntity[] = [];
  const seen = new Set<string>();
  const add = (names: string[], type: string) => {
    for (const raw of names) {
      if (found.length >= MAX_ENTITIES) return;
      const name = cleanName(raw);
      const key = normalizeName(name);
      if (name.length < 2 || PRONOUNS.has(name.toLowerCase()) || seen.has(key)) continue;
      seen.add(key);
      found.push({ name, type });
    }
  };
  add(doc.people().out('array') as string[], 'person');
  add(doc.places().out('array') as string[], 'place');
  add(doc.organizations().out('array') as string[], 'organization');
  return found;
}

const RELATION_RULES: [RegExp, (entity: ExtractedEntity) => boolean, string][] = [
  [/\b(live[sd]?|living|moved|relocated)\s+(in|to)\b/i, (e) => e.type === 'place', 'lives_in'],
  [/\b(from|grew up in)\b/i, (e) => e.type === 'place', 'from'],
  [/\b(visit\w*|trip to|travel\w* to|going to)\b/i, (e) => e.type === 'place', 'visits'],
  [/\b(work\w*\s+(at|for)|joined|employed (at|by)|hired by)\b/i, (e) => e.type === 'organization', 'works_at'],
];

const FIRST_PERSON = /\b(i|i'm|i've|i'd|we|we're|we've|me|us)\b/i;
const KINSHIP = /\bmy\s+(best friend|wife|husband|partner|girlfriend|boyfriend|son|daughter|mother|father|mom|dad|sister|brother|friend|boss|manager|colleague|cousin)\s+/gi;

/**
 * Edges named by the verb pattern around each entity ("mentions" when none fits). The subject is the end user
 * when the sentence speaks in the first person, else the first person named ("My sister Anna lives in Lisbon":
 * user -sister-> Anna, Anna -lives_in-> Lisbon). Reads the same start of the text as findEntities.
 */
export function findRelations(text: string, entities: ExtractedEntity[]): ExtractedRelation[] {
  const window = clip(text, MAX_NLP_CHARS);
  const namedPerson = entities.find((entity) => entity.type === 'person');
  const subject = FIRST_PERSON.test(window) || !namedPerson ? 'user' : namedPerson.name;
  const verbs = RELATION_RULES.filter(([pattern]) => pattern.test(window));
  // One scan for "my sister …", then each entity is compared with the words after each kinship word.
  const kin = [...window.matchAll(KINSHIP)].map((match) => ({
    relation: match[1]!.toLowerCase().replace(/\s+/g, '_'),
    after: window.slice(match.index + match[0].length, match.index + match[0].length + 80).toLowerCase(),
  }));
  return entities.map((entity) => {
    const name = entity.name.toLowerCase();
    const kinship = kin.find(({ after }) => after.startsWith(name) && !/[\p{L}\p{N}]/u.test(after[name.length] ?? ''));
    if (kinship) return { source: 'user', relation: kinship.relation, target: entity.name };
    const rule = verbs.find(([, applies]) => applies(entity));
    const source = entity.name === subject ? 'user' : subject;
    return { source, relation: rule?.[2] ?? 'mentions', target: entity.name };
  });
}

/** A user turn worth remembering: not trivial, not a lone question. */
export function isMemorable(text: string): boolean {
  return !isTrivialMessage(text);
}
